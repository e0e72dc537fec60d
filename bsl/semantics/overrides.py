"""`--set name=value` overrides of a scheme's constants: parsing them and applying them."""
from __future__ import annotations

from bsl.diagnostics import Diagnostic, did_you_mean


def parse_override(text: str) -> tuple[str, str]:
    """Split a `--set name=value` argument."""
    if "=" not in text:
        raise ValueError(f"--set expects name=value, got `{text}`")
    name, value = text.split("=", 1)
    return name.strip(), value.strip()


class OverrideChecks:
    """Replaces constants by the `--set` values, checking names and shapes (a mixin of the checker)."""

    def apply_overrides(self) -> None:
        for name, text in self.overrides.items():
            if name not in self.constants:
                self.diags.append(Diagnostic(
                    "BSL203", f"--set names `{name}`, which is not a constant of this scheme", None,
                    did_you_mean(name, self.constants) or
                    f"constants you can set: {', '.join(sorted(self.constants)) or 'none (declare one with `const`)'}",
                    path="<command line>"))
                continue
            value = _parse_override_value(text)
            if value is None:
                self.diags.append(Diagnostic("BSL305", f"--set {name}={text}: not a number, vector or matrix", None,
                                             "write e.g. --set n=20 or --set h=[1,0.5,2]", path="<command line>"))
                continue
            old = self.constants[name]
            if _shape(old) != _shape(value):
                self.diags.append(Diagnostic(
                    "BSL306", f"--set {name}: shape {_shape_text(value)} does not match the declared "
                    f"{_shape_text(old)}", None, "give a value of the same shape as the `const` declaration",
                    path="<command line>"))
                continue
            self.constants[name] = value


def _shape(v: object) -> tuple:
    if isinstance(v, list):
        return (len(v),) + (_shape(v[0]) if v else ())
    return ()


def _shape_text(v: object) -> str:
    s = _shape(v)
    return "a number" if not s else "×".join(map(str, s))


def _parse_override_value(text: str) -> object | None:
    import json
    try:
        v = json.loads(text)
    except ValueError:
        return None

    def conv(x):
        if isinstance(x, bool):
            return None
        if isinstance(x, (int, float)):
            return float(x)
        if isinstance(x, list):
            items = [conv(i) for i in x]
            return None if any(i is None for i in items) else items
        return None
    return conv(v)
