"""A lark Transformer that only builds AST nodes (bsl/syntax/ast.py) from the parse tree."""
from __future__ import annotations

import ast as pyast
import warnings

from lark import Token, Transformer, v_args
from lark.tree import Meta

from bsl.diagnostics import BslError, Diagnostic
from bsl.source import SourceFile, Span
from bsl.syntax import ast


def _span(meta: Meta | Token) -> Span:
    if isinstance(meta, Token):
        return Span(meta.start_pos or 0, meta.end_pos or 0, meta.line or 0, meta.column or 0,
                    meta.end_line or 0, meta.end_column or 0)
    if getattr(meta, "empty", True):
        return Span.unknown()
    return Span(meta.start_pos, meta.end_pos, meta.line, meta.column, meta.end_line, meta.end_column)


def _unquote(tok: Token, source: SourceFile) -> str:
    try:
        with warnings.catch_warnings():  # Python only warns on `"\q"`; make it the same error everywhere
            warnings.simplefilter("error")
            return pyast.literal_eval(str(tok))
    except (ValueError, SyntaxError, Warning):
        raise BslError(Diagnostic("BSL105", "invalid escape sequence in string", _span(tok),
                                  'use \\" for a quote and \\\\ for a backslash'), source) from None


@v_args(meta=True)
class ToAst(Transformer):
    def __init__(self, source: SourceFile):
        super().__init__()
        self.source = source

    # ---- expressions
    def number(self, meta, c):
        return ast.Number(float(c[0]), str(c[0]), _span(meta))

    def quantity(self, meta, c):
        text = " ".join(str(c[0]).split())
        for unit in ("cM", "M", "%"):
            if text.endswith(unit):
                value = text[: -len(unit)].strip()
                return ast.Quantity(float(value), unit, value, _span(meta))
        raise AssertionError(text)

    def string(self, meta, c):
        return ast.String(_unquote(c[0], self.source), _span(meta))

    def name(self, meta, c):
        return ast.Name(str(c[0]), _span(meta))

    def call(self, meta, c):
        func, *args = c
        args = [a for a in args if a is not None]
        pos = [a for a in args if not isinstance(a, ast.Keyword)]
        kws = [a for a in args if isinstance(a, ast.Keyword)]
        return ast.Call(str(func), pos, kws, _span(meta), _span(func))

    def keyword(self, meta, c):
        return ast.Keyword(str(c[0]), c[1], _span(meta))

    def index(self, meta, c):
        return ast.Index(str(c[0]), c[1], _span(meta))

    def vector(self, meta, c):
        return ast.Vector([x for x in c if x is not None], _span(meta))

    def binary(self, meta, c):
        return ast.BinOp(str(c[1]), c[0], c[2], _span(meta))

    def neg(self, meta, c):
        return ast.Neg(c[0], _span(meta))

    def concat_expr(self, meta, c):
        return ast.Concat(list(c), _span(meta))

    def at(self, meta, c):
        return ast.At(c[0], c[1], _span(meta))

    # ---- settings
    def settings(self, meta, c):
        return list(c)

    def setting(self, meta, c):
        key, comparator, value, by, per = c
        return ast.Setting(str(key), value, str(comparator) if comparator else None,
                           by, per, _span(meta), _span(key))

    def by_clause(self, meta, c):
        return str(c[0])

    def per_clause(self, meta, c):
        return str(c[0])

    def map_clause(self, meta, c):
        return _unquote(c[0], self.source)

    def over_clause(self, meta, c):
        return str(c[0])

    def within_clause(self, meta, c):
        return True

    def times_clause(self, meta, c):
        return c[0]

    # ---- declarations
    def start(self, meta, c):
        return ast.Module(list(c), _span(meta))

    def scheme_decl(self, meta, c):
        return ast.SchemeDecl(_unquote(c[0], self.source), _span(meta))

    def seed_decl(self, meta, c):
        return ast.SeedDecl(int(c[-1]), _span(meta))

    def replicates_decl(self, meta, c):
        return ast.ReplicatesDecl(int(c[0]), _span(meta))

    def genome_decl(self, meta, c):
        return ast.GenomeDecl(c[0], _span(meta))

    def founders_decl(self, meta, c):
        name, src = c
        src.name, src.span, src.name_span = str(name), _span(meta), _span(name)
        return src

    def coalescent_source(self, meta, c):
        return ast.FoundersDecl("", "coalescent", c[0])

    def file_source(self, meta, c):
        path, map_path, settings = c
        return ast.FoundersDecl("", "file", settings or [], _unquote(path, self.source), map_path)

    def model_source(self, meta, c):
        return ast.FoundersDecl("", "model", c[1] or [], model=str(c[0]))

    def trait_decl(self, meta, c):
        return ast.TraitDecl(str(c[0]), c[1], _span(meta), _span(c[0]))

    def model_decl(self, meta, c):
        return ast.ModelDecl(str(c[0]), str(c[1]), c[2], _span(meta))

    def environment_decl(self, meta, c):
        return ast.EnvironmentDecl(str(c[0]), c[1], _span(meta))

    def const_decl(self, meta, c):
        return ast.ConstDecl(str(c[0]), c[1], _span(meta), _span(c[0]))

    def feature_decl(self, meta, c):
        return ast.FeatureDecl(str(c[0]), c[1], _span(meta), _span(c[0]))

    def objective_decl(self, meta, c):
        return ast.ObjectiveDecl(str(c[0]), c[1], _span(meta), _span(c[0]))

    def report_decl(self, meta, c):
        per_cycle, *metrics = c
        return ast.ReportDecl([m for m in metrics if m is not None], True, _span(meta))

    def param_decl(self, meta, c):
        name, shape, value, lower, upper, start = c
        var, s0, s1 = shape if shape else (None, None, None)
        return ast.ParamDecl(str(name), value, lower, upper, start, var, s0, s1, _span(meta))

    def param_shape(self, meta, c):
        return (str(c[0]), int(c[1]), int(c[2]))

    def optimize_decl(self, meta, c):
        return ast.OptimizeDecl(str(c[0]), str(c[1]), c[2], _span(meta))

    def repeat_decl(self, meta, c):
        var, a, b, *steps = c
        return ast.RepeatDecl(str(var), int(a), int(b), list(steps), _span(meta))

    # ---- steps
    def phenotype_step(self, meta, c):
        model, given = c[1] if c[1] is not None else (None, [])
        return ast.PhenotypeStep(str(c[0]), _span(meta), model, given)

    def model_clause(self, meta, c):
        return str(c[0]), [t for t in c[1:] if t is not None]

    def given_term(self, meta, c):
        return str(c[0]), str(c[1]) if c[1] is not None else None, _span(meta)

    def select_step(self, meta, c):
        name, count, source, criterion, within = c
        return ast.SelectStep(str(name), count, criterion, str(source) if source else None,
                              bool(within), _span(meta), _span(source) if source else Span.unknown())

    def mate_step(self, meta, c):
        return ast.MateStep(str(c[0]), c[1], c[2], None, _span(meta))

    def plan_step(self, meta, c):
        return ast.MateStep(str(c[0]), None, c[2], _unquote(c[1], self.source), _span(meta))

    def allocate_step(self, meta, c):
        return ast.AllocateStep(c[0], str(c[1]), c[2], _span(meta), _span(c[1]))

    def _generation(self, kind, meta, c):
        names = [x for x in c if isinstance(x, Token)]
        times = next((x for x in c if isinstance(x, ast.Expr)), None)
        name, source = (str(names[0]), names[1]) if len(names) == 2 else (None, names[0])
        return ast.CrossStep(kind, str(source), name, times, _span(meta), _span(source))

    def cross_step(self, meta, c):
        return self._generation("cross", meta, c)

    def self_step(self, meta, c):
        return self._generation("self", meta, c)

    def dh_step(self, meta, c):
        return self._generation("dh", meta, c)
