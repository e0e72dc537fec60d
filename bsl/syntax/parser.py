"""The parser: lark's LALR parser over grammar/bsl.lark, with lark's errors turned into bsl diagnostics."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from bsl.diagnostics import BslError, Diagnostic, did_you_mean
from bsl.source import SourceFile, Span
from bsl.syntax import ast
from bsl.syntax.to_ast import ToAst

GRAMMAR_PATH = Path(__file__).resolve().parent.parent / "grammar" / "bsl.lark"

# How terminals are named in messages: `expected one of: "select", "mate", ...`.
_TERMINAL_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "INT": "a whole number", "STRING": "a string",
    "QUANTITY": "a number with a unit", "COMPARATOR": "a comparison", "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*` or `/`", "$END": "end of file",
}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=True)


_DECLARATION_WORDS = {"scheme", "seed", "replicates", "genome", "founders", "trait", "const", "feature", "repeat",
                      "objective", "report", "param", "optimize", "model", "environment"}


def _terminal_text(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for term in _lark().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


def _keywords(expected: set[str]) -> list[str]:
    words = []
    for term in _lark().terminals:
        if term.name in expected and term.pattern.type == "str" and term.pattern.value.isalpha():
            words.append(term.pattern.value)
    return words


def _syntax_diagnostic(err: UnexpectedInput, source: SourceFile) -> Diagnostic:
    if isinstance(err, UnexpectedCharacters):
        span = source.span_at(err.pos_in_stream, 1)
        char = source.text[err.pos_in_stream] if err.pos_in_stream < len(source.text) else ""
        if char == '"':
            return Diagnostic("BSL104", "unterminated string", span, "close the string with `\"` on the same line")
        allowed = sorted(_terminal_text(t) for t in (err.allowed or ()))
        hint = f"expected {_join(allowed)}" if allowed else None
        return Diagnostic("BSL101", f"unexpected character `{char}`", span, hint)
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        span = source.span_at(max(0, len(source.text.rstrip()) - 1), 1)
        expected = set(getattr(err, "expected", ()) or ())
        hint = f"expected {_join(sorted(_terminal_text(t) for t in expected))}" if expected else None
        if "RBRACE" in expected:
            hint = "a block is not closed: add the missing `}`"
        return Diagnostic("BSL103", "unexpected end of file", span, hint)
    assert isinstance(err, UnexpectedToken)
    tok: Token = err.token
    span = source.span_at(tok.start_pos or 0, max(1, len(str(tok))))
    expected = set(err.expected or ())
    hint = None
    if "RBRACE" in expected and str(tok) in _DECLARATION_WORDS:
        return Diagnostic("BSL103", f"unexpected `{tok}`: the block above is not closed", span,
                          f"add the missing `}}` before `{tok}`")
    if tok.type == "NUMBER" and str(tok).startswith(".") and "DOTDOT" not in expected:
        return Diagnostic("BSL106", "expected a whole number here", span, "counts, seeds and cycle ranges are whole numbers, e.g. `2`")
    if tok.type == "NAME":
        hint = did_you_mean(str(tok), _keywords(expected))
    if hint is None and expected:
        options = sorted(_terminal_text(t) for t in expected)
        hint = f"expected {_join(options)}"
    return Diagnostic("BSL102", f"unexpected `{tok}`", span, hint)


def _join(items: list[str], limit: int = 8) -> str:
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        items = items[:limit] + ["..."]
    return items[0] if len(items) == 1 else "one of " + ", ".join(items)


def parse(source: SourceFile) -> ast.Module:
    """Parse scheme text into an AST; raises BslError with one located BSL1xx diagnostic."""
    try:
        tree = _lark().parse(source.text)
    except UnexpectedInput as err:
        raise BslError(_syntax_diagnostic(err, source), source) from None
    except LarkError as err:  # any other lark failure is still the text's fault, never a traceback
        raise BslError(Diagnostic("BSL100", f"cannot parse: {err}", Span(0, 0, 1, 1)), source) from None
    try:
        return ToAst(source).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, BslError):
            raise err.orig_exc from None
        raise
