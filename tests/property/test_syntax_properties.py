"""Properties of the front end: `bsl fmt` is idempotent and keeps the tree; the parser only ever
raises its own error."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bsl.diagnostics import BslError
from bsl.source import SourceFile
from bsl.syntax import ast
from bsl.syntax.formatter import format_module, format_source
from bsl.syntax.parser import parse

FMT_GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "fmt"

KEYWORDS = {
    "allocate", "at", "by", "coalescent", "const", "cross", "cycle", "dh", "environment", "family",
    "feature", "file", "founders", "from", "genome", "in", "map", "mate", "model", "objective",
    "optimize", "over", "param", "per", "per_cycle", "phenotype", "progeny", "repeat", "replicates",
    "report", "scheme", "seed", "select", "self", "start", "top", "trait", "with", "within",
}

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _src(text: str) -> SourceFile:
    return SourceFile("prop.bsl", text)


# ---- strategies: random valid ASTs ---------------------------------------------------------

# `M` and `cM` as names probe the lexer's quantity rule (`5 M` is one token).
names = st.one_of(
    st.sampled_from(["gv", "yield", "parents", "pairs", "BV", "WBV", "h", "M", "cM", "x1", "_a"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True),
).filter(lambda n: n not in KEYWORDS)

number_texts = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(["0.05", ".5", "2.", "1e-3", "2.5E+4", "007", "1e5"]),
)
numbers = number_texts.map(lambda t: ast.Number(float(t), t))
quantities = st.builds(lambda t, u: ast.Quantity(float(t), u, t), number_texts, st.sampled_from(["M", "cM", "%"]))
strings = st.text(max_size=8).map(ast.String)
leaves = st.one_of(numbers, quantities, strings, names.map(ast.Name))


def _compound(children):
    kw = st.builds(ast.Keyword, names, children)
    return st.one_of(
        st.builds(ast.Call, names, st.lists(children, max_size=3), st.lists(kw, max_size=2)),
        st.builds(ast.Index, names, children),
        st.builds(ast.Vector, st.lists(children, max_size=3)),
        st.builds(ast.BinOp, st.sampled_from("+-*/"), children, children),
        st.builds(ast.Neg, children),
        st.builds(ast.Concat, st.lists(children, min_size=2, max_size=3)),
        st.builds(ast.At, children, children),
    )


exprs = st.recursive(leaves, _compound, max_leaves=8)

settings_lists = st.lists(
    st.builds(ast.Setting, names, exprs, st.sampled_from([None, ">=", "<=", ">", "<"]),
              st.none() | names, st.none() | names),
    max_size=4)

steps = st.one_of(
    st.builds(ast.PhenotypeStep, names),
    st.builds(ast.SelectStep, names, exprs, exprs, st.none() | names, st.booleans()),
    st.builds(ast.MateStep, names, exprs, st.none() | names),
    st.builds(lambda n, path, over: ast.MateStep(n, None, over, path), names, st.text(max_size=6), names),
    st.builds(ast.AllocateStep, exprs, names, exprs),
    st.builds(ast.CrossStep, st.sampled_from(["cross", "self"]), names, st.none() | names),
    st.builds(ast.CrossStep, st.just("dh"), names, st.none() | names, st.none() | exprs),
)

ints = st.integers(0, 10**4)
decls = st.one_of(
    st.builds(ast.SchemeDecl, st.text(max_size=10)),
    st.builds(ast.SeedDecl, ints),
    st.builds(ast.ReplicatesDecl, ints),
    st.builds(ast.GenomeDecl, settings_lists),
    st.builds(lambda n, s: ast.FoundersDecl(n, "coalescent", s), names, settings_lists),
    st.builds(lambda n, p, m, s: ast.FoundersDecl(n, "file", s, p, m),
              names, st.text(max_size=8), st.none() | st.text(max_size=8), settings_lists),
    st.builds(lambda n, m, s: ast.FoundersDecl(n, "model", s, model=m), names, names, settings_lists),
    st.builds(ast.TraitDecl, names, settings_lists),
    st.builds(ast.ModelDecl, names, names, settings_lists),
    st.builds(ast.EnvironmentDecl, names, settings_lists),
    st.builds(ast.ConstDecl, names, exprs),
    st.builds(ast.FeatureDecl, names, exprs),
    st.builds(ast.ObjectiveDecl, names, exprs),
    st.builds(ast.ReportDecl, st.lists(exprs, max_size=3)),
    st.builds(lambda n, v, lo, hi, s, shape: ast.ParamDecl(n, v, lo, hi, s, *shape),
              names, exprs, exprs, exprs, st.none() | exprs,
              st.none().map(lambda _: (None, None, None)) | st.tuples(names, ints, ints)),
    st.builds(ast.OptimizeDecl, names, names, settings_lists),
    st.builds(ast.RepeatDecl, names, ints, ints, st.lists(steps, max_size=4)),
)
modules = st.builds(ast.Module, st.lists(decls, max_size=6))


# ---- strategies: messy spellings of valid text --------------------------------------------

comment_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10).map(lambda t: "# " + t)


def _spaces_outside_strings(text: str) -> list[int]:
    """Offsets of spaces that may become other whitespace: outside strings, not inside `5 M`."""
    out, in_string, i = [], False, 0
    while i < len(text):
        ch = text[i]
        if in_string and ch == "\\":
            i += 2
            continue
        if ch == '"':
            in_string = not in_string
        elif ch == " " and not in_string and not re.match(r" (M|cM)(?![A-Za-z0-9_])", text[i:]):
            out.append(i)
        i += 1
    return out


@st.composite
def messy_texts(draw) -> str:
    text = format_module(draw(modules))
    slots = _spaces_outside_strings(text) + [i for i, ch in enumerate(text) if ch == "\n"]
    chosen = draw(st.lists(st.sampled_from(slots), unique=True, max_size=12)) if slots else []
    pieces, last = [], 0
    for i in sorted(chosen):
        replacement = draw(st.one_of(
            st.sampled_from(["  ", "\n", "\n\n  ", "\t", " \n"]),
            comment_text.map(lambda c: f"  {c}\n"),
            comment_text.map(lambda c: f"\n{c}\n\n"),
        ))
        pieces += [text[last:i], replacement]
        last = i + 1
    pieces.append(text[last:])
    lead = draw(st.sampled_from(["", "\n", "# header\n\n"]))
    return lead + "".join(pieces)


# ---- properties ---------------------------------------------------------------------------

@BOUNDED
@given(modules)
def test_format_module_reads_back_as_the_same_tree(module):
    text = format_module(module)
    assert parse(_src(text)) == module
    assert format_source(_src(text)) == text


@BOUNDED
@given(messy_texts())
def test_fmt_is_idempotent_and_keeps_tree_and_comments(text):
    once = format_source(_src(text))
    assert format_source(_src(once)) == once
    assert parse(_src(once)) == parse(_src(text))
    for comment in re.findall(r"#[^\n]*", text):
        if '"' not in comment:  # a `#` inside a string literal is not a comment
            assert comment.rstrip()[1:].strip() in once


@pytest.mark.parametrize("path", sorted(FMT_GOLDEN.glob("*.bsl")), ids=lambda p: p.name)
def test_fmt_golden_inputs_are_idempotent_and_keep_tree(path):
    source = SourceFile.read(path)
    once = format_source(source)
    assert format_source(_src(once)) == once
    assert parse(_src(once)) == parse(source)


def _parse_or_bsl_error(text: str) -> ast.Module | None:
    try:
        return parse(_src(text))
    except BslError as err:
        assert err.diagnostics and err.diagnostics[0].code.startswith("BSL1")
        err.render()  # rendering must not fail either
        return None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parser_raises_only_bsl_error_on_arbitrary_text(text):
    _parse_or_bsl_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(KEYWORDS) + list('{}[]()=,.+-*/<>"#\\\n %') + ["1", "x", "M", "1 M"]),
                max_size=30).map("".join))
def test_parser_raises_only_bsl_error_on_token_soup(text):
    _parse_or_bsl_error(text)


@st.composite
def mutated_texts(draw) -> str:
    text = format_module(draw(modules)) or "seed 1\n"
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "swap"]))
        if kind == "delete":
            text = text[:i] + text[i + 1:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(list('{}[]()=,."#\\\n %*-') + ["a", "1", "top", "M"])) + text[i:]
        elif i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


@BOUNDED
@given(mutated_texts())
def test_parser_raises_only_bsl_error_on_mutated_schemes(text):
    if _parse_or_bsl_error(text) is not None:  # still valid: fmt must still hold
        once = format_source(_src(text))
        assert format_source(_src(once)) == once
        assert parse(_src(once)) == parse(_src(text))
