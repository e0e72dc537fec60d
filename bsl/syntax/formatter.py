"""`bsl fmt`: the one canonical layout of a scheme, keeping the comments that the parser drops."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bsl.source import SourceFile, Span
from bsl.syntax import ast
from bsl.syntax.parser import parse

MAX_LINE = 100  # a settings block longer than this is laid out one setting per line
INDENT = 2

# ---- expressions -------------------------------------------------------------------------
# Binding strength, loosest first, as in grammar/bsl.lark: `++`, `+ -`, `* /`, unary `-`,
# `at cycle`, primaries. A child printed where the grammar wants a tighter level gets parens.
_CONCAT, _SUM, _PRODUCT, _UNARY, _AT, _PRIMARY = range(6)


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.Concat):
        return _CONCAT
    if isinstance(expr, ast.BinOp):
        return _SUM if expr.op in "+-" else _PRODUCT
    if isinstance(expr, ast.Neg):
        return _UNARY
    if isinstance(expr, ast.At):
        return _AT
    return _PRIMARY


def _at_least(expr: ast.Expr, level: int) -> str:
    text = format_expr(expr)
    return f"({text})" if _level(expr) < level else text


def format_expr(expr: ast.Expr) -> str:
    """The canonical spelling of an expression: `top(5, gv(yield))`, `a + b * c`, `150 cM`.

    Also the name under which report metrics are recorded, so it must not change lightly.
    """
    if isinstance(expr, ast.Number):
        return expr.text
    if isinstance(expr, ast.Quantity):
        return f"{expr.text}%" if expr.unit == "%" else f"{expr.text} {expr.unit}"
    if isinstance(expr, ast.String):
        return format_string(expr.value)
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Call):
        args = [format_expr(a) for a in expr.args]
        args += [f"{k.name} = {format_expr(k.value)}" for k in expr.kwargs]
        return f"{expr.func}({', '.join(args)})"
    if isinstance(expr, ast.Index):
        return f"{expr.target}[{format_expr(expr.index)}]"
    if isinstance(expr, ast.Vector):
        return "[" + ", ".join(format_expr(x) for x in expr.items) + "]"
    if isinstance(expr, ast.Concat):
        return " ++ ".join(_at_least(x, _SUM) for x in expr.items)
    if isinstance(expr, ast.BinOp):
        level = _level(expr)  # left-associative: the right operand must bind tighter
        return f"{_at_least(expr.left, level)} {expr.op} {_at_least(expr.right, level + 1)}"
    if isinstance(expr, ast.Neg):
        return "-" + _at_least(expr.operand, _UNARY)
    if isinstance(expr, ast.At):
        return f"{_at_least(expr.expr, _PRIMARY)} at cycle {_at_least(expr.cycle, _PRIMARY)}"
    raise TypeError(f"not an expression: {expr!r}")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def format_string(value: str) -> str:
    """A double-quoted literal that reads back as `value` (the parser unescapes like Python)."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# A bare number followed by a name `M` or `cM` would lex as one quantity token (`5 M`).
_ENDS_WITH_NUMBER = re.compile(r"(?:^|[^A-Za-z0-9_.])(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def _before_name(expr: ast.Expr, name: str | None) -> str:
    text = format_expr(expr)
    if name in ("M", "cM") and _ENDS_WITH_NUMBER.search(text):
        return f"({text})"
    return text


# ---- layout ------------------------------------------------------------------------------

@dataclass
class _Line:
    """One output line, and the source lines it stands for (where its comments come from)."""

    indent: int
    text: str
    first: int = 0  # 0: no source lines (blank lines, or a module without spans)
    last: int = 0
    comment_indent: int | None = None  # a block's `}`: comments before it sit inside the block
    before: list[_Comment] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)


@dataclass
class _Comment:
    offset: int
    line: int
    text: str
    blank_after: bool = False  # a full-line comment followed by a blank line keeps that gap


class _Comments:
    """The comments and `{` positions of a source text, found by a scan that skips strings."""

    def __init__(self, source: SourceFile | None):
        self.items: list[_Comment] = []
        self.open_braces: list[int] = []
        self._text = source.text if source else ""
        text, i, line, n = self._text, 0, 1, len(self._text)
        while i < n:
            ch = text[i]
            if ch == "\n":
                line += 1
            elif ch == '"':
                i += 1
                while i < n and text[i] not in '"\n':
                    i += 2 if text[i] == "\\" else 1
            elif ch == "#":
                end = text.find("\n", i)
                end = n if end < 0 else end
                after = text.find("\n", end + 1)
                following = text[end + 1:after if after >= 0 else n] if end < n else "x"
                self.items.append(_Comment(i, line, text[i:end].rstrip(), not following.strip()))
                i = end
                continue
            elif ch == "{":
                self.open_braces.append(i)
            i += 1

    def inside(self, span: Span) -> bool:
        return any(span.start <= c.offset < span.end for c in self.items)

    def line_of(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1

    def open_brace_line(self, span: Span) -> int:
        """The line of the first `{` of a block declaration (the end of its header)."""
        brace = next((b for b in self.open_braces if b >= span.start), span.start)
        return self.line_of(brace)


_GROUPS = {ast.SchemeDecl: "header", ast.SeedDecl: "header", ast.ReplicatesDecl: "header"}


def _node_line(indent: int, text: str, span: Span) -> _Line:
    return _Line(indent, text, span.line, max(span.line, span.end_line))


def _setting_text(s: ast.Setting, next_key: str | None = None) -> str:
    """`key [cmp] value [by x] [per y]`; `next_key` is what follows on the same line, if anything."""
    parts = [s.key] + ([s.comparator] if s.comparator else [])
    parts.append(_before_name(s.value, None if s.by or s.per else next_key))
    if s.by:
        parts.append(f"by {s.by}")
    if s.per:
        parts.append(f"per {s.per}")
    return " ".join(parts)


def _block(header: str, settings: list[ast.Setting], span: Span, comments: _Comments) -> list[_Line]:
    """`header { k v  k v }` on one line when short and free of comments, else one setting a line."""
    keys = [s.key for s in settings[1:]] + [None]
    texts = [_setting_text(s, k) for s, k in zip(settings, keys)]
    one_line = f"{header} {{ {'  '.join(texts)} }}" if texts else f"{header} {{}}"
    if len(one_line) <= MAX_LINE and not comments.inside(span):
        return [_node_line(0, one_line, span)]
    lines = [_Line(0, f"{header} {{", span.line, comments.open_brace_line(span) if span.line else 0)]
    lines += [_node_line(INDENT, _setting_text(s), s.span) for s in settings]
    close = comments.line_of(span.end - 1) if span.line else 0
    lines.append(_Line(0, "}", close, close, comment_indent=INDENT))
    return lines


def _step_text(step: ast.Step) -> str:
    if isinstance(step, ast.PhenotypeStep):
        text = f"phenotype {step.population}"
        if step.model is not None:
            text += f" from model {step.model}"
            if step.given:
                text += " given " + ", ".join(f"{t}({a})" if a else t for t, a, _ in step.given)
        return text
    if isinstance(step, ast.SelectStep):
        count = _before_name(step.count, step.source)
        source = f" {step.source}" if step.source else ""
        within = " within family" if step.within_family else ""
        return f"select {step.name} = top {count}{source} by {format_expr(step.criterion)}{within}"
    if isinstance(step, ast.MateStep):
        over = f" over {step.over}" if step.over else ""
        if step.design is None:
            return f"mate {step.name} = from {format_string(step.plan_path or '')}{over}"
        return f"mate {step.name} = {format_expr(step.design)}{over}"
    if isinstance(step, ast.AllocateStep):
        return (f"allocate {format_expr(step.total)} progeny over {step.pairs} "
                f"by {format_expr(step.method)}")
    if isinstance(step, ast.CrossStep):
        binding = f"{step.name} = " if step.name else ""
        times = f" * {format_expr(step.times)}" if step.times is not None else ""
        return f"{step.kind} {binding}{step.source}{times}"
    raise TypeError(f"not a step: {step!r}")


def _decl_lines(decl: ast.Decl, comments: _Comments) -> list[_Line]:
    span = decl.span

    def one(text: str) -> list[_Line]:
        return [_node_line(0, text, span)]

    if isinstance(decl, ast.SchemeDecl):
        return one(f"scheme {format_string(decl.name)}")
    if isinstance(decl, ast.SeedDecl):
        return one(f"seed {decl.value}")
    if isinstance(decl, ast.ReplicatesDecl):
        return one(f"replicates {decl.value}")
    if isinstance(decl, ast.GenomeDecl):
        return _block("genome", decl.settings, span, comments)
    if isinstance(decl, ast.FoundersDecl):
        header = f"founders {decl.name} from {decl.source}"
        if decl.source == "file":
            header += f" {format_string(decl.path or '')}"
            if decl.map_path is not None:
                header += f" map {format_string(decl.map_path)}"
        elif decl.source == "model":
            header += f" {decl.model}"
        if decl.source != "coalescent" and not decl.settings and not comments.inside(span):
            return one(header)  # the settings block is optional here, and `{}` means none
        return _block(header, decl.settings, span, comments)
    if isinstance(decl, ast.TraitDecl):
        return _block(f"trait {decl.name}", decl.settings, span, comments)
    if isinstance(decl, ast.ModelDecl):
        return _block(f"model {decl.name} = {decl.family}", decl.settings, span, comments)
    if isinstance(decl, ast.EnvironmentDecl):
        return _block(f"environment {decl.name}", decl.settings, span, comments)
    if isinstance(decl, ast.OptimizeDecl):
        return _block(f"optimize {decl.param} with {decl.method}", decl.settings, span, comments)
    if isinstance(decl, ast.ConstDecl):
        return one(f"const {decl.name} = {format_expr(decl.value)}")
    if isinstance(decl, ast.FeatureDecl):
        return one(f"feature {decl.name} = {format_expr(decl.expr)}")
    if isinstance(decl, ast.ObjectiveDecl):
        return one(f"objective {decl.name} = {format_expr(decl.expr)}")
    if isinstance(decl, ast.ReportDecl):
        words = (["per_cycle"] if decl.per_cycle else []) + [", ".join(format_expr(m) for m in decl.metrics)]
        inner = " ".join(w for w in words if w)
        return one(f"report {{ {inner} }}" if inner else "report {}")
    if isinstance(decl, ast.ParamDecl):
        shape = (f"[{decl.shape_var} {decl.shape_start}..{decl.shape_stop}]"
                 if decl.shape_var is not None else "")
        start = f" start {format_expr(decl.start)}" if decl.start is not None else ""
        return one(f"param {decl.name}{shape} = {format_expr(decl.value)} "
                   f"in [{format_expr(decl.lower)}, {format_expr(decl.upper)}]{start}")
    if isinstance(decl, ast.RepeatDecl):
        lines = [_Line(0, f"repeat {decl.var} {decl.start}..{decl.stop} {{", span.line,
                       comments.open_brace_line(span) if span.line else 0)]
        lines += [_node_line(INDENT, _step_text(s), s.span) for s in decl.steps]
        close = comments.line_of(span.end - 1) if span.line else 0
        lines.append(_Line(0, "}", close, close, comment_indent=INDENT))
        return lines
    raise TypeError(f"not a declaration: {decl!r}")


def _layout(module: ast.Module, comments: _Comments) -> list[_Line]:
    """Declarations in source order; a blank line where the kind changes and around blocks."""
    lines: list[_Line] = []
    previous: tuple[str, bool] | None = None
    for decl in module.decls:
        decl_lines = _decl_lines(decl, comments)
        kind = (_GROUPS.get(type(decl), type(decl).__name__), len(decl_lines) > 1)
        if previous is not None and (kind[0] != previous[0] or kind[1] or previous[1]):
            lines.append(_Line(0, ""))
        lines += decl_lines
        previous = kind
    return lines


def _attach(lines: list[_Line], comments: _Comments) -> list[_Comment]:
    """Place each comment: at the end of the output line whose source lines hold it, or else
    on its own line before the first output line that comes from later in the source."""
    tail: list[_Comment] = []
    for c in comments.items:
        holding = [ln for ln in lines if ln.first and ln.first <= c.line <= ln.last]
        if holding:
            holding[-1].trailing.append(c.text)
            continue
        following = next((ln for ln in lines if ln.first > c.line), None)
        (following.before if following else tail).append(c)
    return tail


def _render(lines: list[_Line], tail: list[_Comment]) -> str:
    out: list[str] = []

    def own_lines(comments: list[_Comment], pad: str) -> None:
        for c in comments:
            out.append(pad + c.text)
            if c.blank_after:
                out.append("")

    for ln in lines:
        own_lines(ln.before, " " * (ln.comment_indent if ln.comment_indent is not None else ln.indent))
        text = " " * ln.indent + ln.text if ln.text else ""
        if ln.trailing:
            text = (text + "  " if text else "") + " ".join(ln.trailing)
        out.append(text)
    own_lines(tail, "")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def format_module(module: ast.Module) -> str:
    """The canonical text of a module (without comments: the AST has none)."""
    return _render(_layout(module, _Comments(None)), [])


def format_source(source: SourceFile) -> str:
    """Parse and re-lay out a scheme, keeping its comments; what `bsl fmt` writes.

    Raises BslError when the text does not parse.
    """
    module = parse(source)
    comments = _Comments(source)
    lines = _layout(module, comments)
    tail = _attach(lines, comments)
    return _render(lines, tail)
