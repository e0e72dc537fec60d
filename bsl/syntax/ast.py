"""The abstract syntax tree of a bsl scheme: plain dataclasses, each carrying its source span."""
from __future__ import annotations

from dataclasses import dataclass, field

from bsl.source import Span



def _span_field():
    return field(default_factory=Span.unknown, compare=False, repr=False)


# ---- expressions -------------------------------------------------------------------------

@dataclass
class Expr:
    pass


@dataclass
class Number(Expr):
    value: float
    text: str  # as written, so `bsl fmt` keeps `0.05` rather than `0.05000000000000000277`
    span: Span = _span_field()


@dataclass
class Quantity(Expr):
    """A number with a unit: `1 M`, `150 cM`, `10%`."""

    value: float
    unit: str  # "M" | "cM" | "%"
    text: str
    span: Span = _span_field()


@dataclass
class String(Expr):
    value: str
    span: Span = _span_field()


@dataclass
class Name(Expr):
    id: str
    span: Span = _span_field()


@dataclass
class Keyword:
    name: str
    value: Expr
    span: Span = _span_field()


@dataclass
class Call(Expr):
    func: str
    args: list[Expr]
    kwargs: list[Keyword]
    span: Span = _span_field()
    func_span: Span = _span_field()


@dataclass
class Index(Expr):
    target: str
    index: Expr
    span: Span = _span_field()


@dataclass
class Vector(Expr):
    items: list[Expr]
    span: Span = _span_field()


@dataclass
class BinOp(Expr):
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = _span_field()


@dataclass
class Neg(Expr):
    operand: Expr
    span: Span = _span_field()


@dataclass
class Concat(Expr):
    """Column-wise concatenation of feature matrices: `a ++ b`."""

    items: list[Expr]
    span: Span = _span_field()


@dataclass
class At(Expr):
    """`expr at cycle c`: evaluate a population summary at another cycle."""

    expr: Expr
    cycle: Expr
    span: Span = _span_field()


# ---- block settings ----------------------------------------------------------------------

@dataclass
class Setting:
    key: str
    value: Expr
    comparator: str | None = None
    by: str | None = None
    per: str | None = None
    span: Span = _span_field()
    key_span: Span = _span_field()


# ---- top-level declarations -------------------------------------------------------------

@dataclass
class Decl:
    pass


@dataclass
class SchemeDecl(Decl):
    name: str
    span: Span = _span_field()


@dataclass
class SeedDecl(Decl):
    value: int
    span: Span = _span_field()


@dataclass
class ReplicatesDecl(Decl):
    value: int
    span: Span = _span_field()


@dataclass
class GenomeDecl(Decl):
    settings: list[Setting]
    span: Span = _span_field()


@dataclass
class FoundersDecl(Decl):
    name: str
    source: str  # "coalescent" | "file" | "model"
    settings: list[Setting]
    path: str | None = None
    map_path: str | None = None
    model: str | None = None
    span: Span = _span_field()
    name_span: Span = _span_field()


@dataclass
class TraitDecl(Decl):
    name: str
    settings: list[Setting]
    span: Span = _span_field()
    name_span: Span = _span_field()


@dataclass
class ModelDecl(Decl):
    name: str
    family: str
    settings: list[Setting]
    span: Span = _span_field()


@dataclass
class EnvironmentDecl(Decl):
    name: str
    settings: list[Setting]
    span: Span = _span_field()


@dataclass
class ConstDecl(Decl):
    name: str
    value: Expr
    span: Span = _span_field()
    name_span: Span = _span_field()


@dataclass
class FeatureDecl(Decl):
    name: str
    expr: Expr
    span: Span = _span_field()
    name_span: Span = _span_field()


@dataclass
class ObjectiveDecl(Decl):
    name: str
    expr: Expr
    span: Span = _span_field()
    name_span: Span = _span_field()


@dataclass
class ReportDecl(Decl):
    metrics: list[Expr]
    per_cycle: bool = True
    span: Span = _span_field()


@dataclass
class ParamDecl(Decl):
    name: str
    value: Expr
    lower: Expr
    upper: Expr
    start: Expr | None = None
    shape_var: str | None = None
    shape_start: int | None = None
    shape_stop: int | None = None
    span: Span = _span_field()


@dataclass
class OptimizeDecl(Decl):
    param: str
    method: str
    settings: list[Setting]
    span: Span = _span_field()


# ---- cycle steps ------------------------------------------------------------------------

@dataclass
class Step:
    pass


@dataclass
class PhenotypeStep(Step):
    population: str
    span: Span = _span_field()
    model: str | None = None  # `from model p`: phenotypes drawn from a trained phenotype model
    # `given genotype, environment(dry)`: (term, argument or None, span) in the order written
    given: list[tuple[str, str | None, Span]] = field(default_factory=list)


@dataclass
class SelectStep(Step):
    name: str
    count: Expr
    criterion: Expr
    source: str | None = None
    within_family: bool = False
    span: Span = _span_field()
    source_span: Span = _span_field()


@dataclass
class MateStep(Step):
    name: str
    design: Expr | None  # a call such as diallel(parents, selfing = true); None for a plan file
    over: str | None = None
    plan_path: str | None = None
    span: Span = _span_field()


@dataclass
class AllocateStep(Step):
    total: Expr
    pairs: str
    method: Expr
    span: Span = _span_field()
    pairs_span: Span = _span_field()


@dataclass
class CrossStep(Step):
    """`cross PAIRS`, `self POP`, `dh POP * n`: make the next generation."""

    kind: str  # "cross" | "self" | "dh"
    source: str
    name: str | None = None
    times: Expr | None = None
    span: Span = _span_field()
    source_span: Span = _span_field()


@dataclass
class RepeatDecl(Decl):
    var: str
    start: int
    stop: int
    steps: list[Step]
    span: Span = _span_field()


@dataclass
class Module:
    """A whole scheme file."""

    decls: list[Decl]
    span: Span = _span_field()
