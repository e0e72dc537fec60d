"""The IR: a resolved, loop-unrolled program of specs and ops that the runtime executes (no lark, no torch)."""
from __future__ import annotations

from dataclasses import dataclass, field

from bsl.source import Span


def _span():
    return field(default_factory=Span.unknown, compare=False, repr=False)


# ---- what the scheme is made of -------------------------------------------------------------

@dataclass(frozen=True)
class GenomeSpec:
    num_chromosomes: int | None
    loci_per_chromosome: int | None
    length_morgans: float
    map_function: str  # "haldane" | "kosambi"


@dataclass(frozen=True)
class FounderSpec:
    name: str
    source: str  # "coalescent" | "file" | "model"
    coalescent: tuple[tuple[str, object], ...] = ()  # keyword arguments of bsl.io.coalescent
    path: str | None = None  # the file, or the trained model's folder
    map_path: str | None = None
    span: Span = _span()
    model: str | None = None
    sample: int | None = None  # founders drawn from the model
    given: float | None = None  # ... at this value of the model's condition


@dataclass(frozen=True)
class ModelSpec:
    """A generative genotype model: trained by `bsl train` on a founders set, saved in `path`."""

    name: str
    family: str
    data: str  # founders set it learns from
    path: str  # folder holding weights.safetensors and model.json
    epochs: int | None
    max_seconds: float | None
    holdout: float
    seed: int | None
    span: Span = _span()
    # a phenotype model learns trial records (CSV: individual, the trait, covariates) of `data`
    phenotypes: str | None = None
    trait: str | None = None
    covariates: tuple[str, ...] = ()
    condition: str | None = None  # a genotype model learning p(genotype | this trial column's mean)
    pca_variance: float | None = None  # PCA-space families: share of variance kept

    @property
    def kind(self) -> str:
        return "phenotype" if self.phenotypes is not None and self.condition is None else "genotype"


@dataclass(frozen=True)
class Distribution:
    kind: str  # "normal" (mean, variance) | "gamma" (shape, scale; random sign) | "constant" (value)
    params: tuple[float, ...]


@dataclass(frozen=True)
class TraitSpec:
    name: str
    qtl_count: int | None = None
    qtl_per_chromosome: int | None = None
    qtl_path: str | None = None
    effects: Distribution = Distribution("normal", (0.0, 1.0))
    dominance: Distribution | None = None
    heritability: float | None = None
    error_variance: float | None = None
    span: Span = _span()
    model: str | None = None  # phenotypes drawn from this phenotype model; no QTL, no genetic values
    # the covariates a report of this trait's phenotypes draws them in (the cycle's environment)
    report_environment: tuple[float, ...] = ()


# ---- values that ops compute on populations --------------------------------------------------
# A feature is evaluated on one population ("ind", one row per individual) or on a set of
# mating pairs ("pair", one row per pair); `width` is its number of columns.

@dataclass(frozen=True)
class Feature:
    pass


@dataclass(frozen=True)
class TraitValue(Feature):
    kind: str  # "gv" | "phenotype" | "breeding_value" | "weighted_breeding_value"
    trait: int


@dataclass(frozen=True)
class ProgenyVariance(Feature):
    trait: int


@dataclass(frozen=True)
class ZScore(Feature):
    x: Feature


@dataclass(frozen=True)
class MeanParent(Feature):
    xs: tuple[Feature, ...]


@dataclass(frozen=True)
class ConcatFeature(Feature):
    xs: tuple[Feature, ...]


@dataclass(frozen=True)
class Arith(Feature):
    op: str  # + - * /
    a: Feature
    b: Feature


@dataclass(frozen=True)
class Scalar(Feature):
    value: float


@dataclass(frozen=True)
class RFunction(Feature):
    """One value per individual computed by an R function: `r("my_index.R", "my_index")`."""

    path: str  # absolute path of the R file
    function: str
    span: Span = _span()


def sub_features(f: Feature):
    """`f` and every feature inside it, depth first."""
    yield f
    for child in (getattr(f, "x", None), getattr(f, "a", None), getattr(f, "b", None), *getattr(f, "xs", ())):
        if isinstance(child, Feature):
            yield from sub_features(child)


def r_functions(ops: list[Op]) -> list[RFunction]:
    """The R functions the ops call, each once, in order of first use."""
    found: dict[RFunction, None] = {}
    for op in ops:
        for value in vars(op).values():
            if isinstance(value, Feature):
                found.update((g, None) for g in sub_features(value) if isinstance(g, RFunction))
    return list(found)


def is_pair_feature(f: Feature) -> bool:
    """True when a feature has one row per mating pair rather than one per individual."""
    if isinstance(f, (ProgenyVariance, MeanParent)):
        return True
    if isinstance(f, ZScore):
        return is_pair_feature(f.x)
    if isinstance(f, ConcatFeature):
        return any(is_pair_feature(x) for x in f.xs)
    if isinstance(f, Arith):
        return is_pair_feature(f.a) or is_pair_feature(f.b)
    return False


@dataclass(frozen=True)
class ConstRef:
    """A value of a named constant (overridable with --set): `h[cycle]` → ConstRef("h", (0,))."""

    name: str
    index: tuple[int, ...] = ()


# ---- population summaries (reports and objectives) ------------------------------------------

@dataclass(frozen=True)
class Summary:
    """A per-replicate statistic of the current population at a cycle."""

    kind: str  # mean var sd min max top genic_var inbreeding heterozygosity allele_freq
    x: Feature | None = None
    k: int = 0
    trait: int | None = None
    loci: str = "all"  # for inbreeding / heterozygosity: "all" | "qtl"


@dataclass(frozen=True)
class ObjExpr:
    pass


@dataclass(frozen=True)
class ObjSummary(ObjExpr):
    summary: Summary
    cycle: int


@dataclass(frozen=True)
class ObjArith(ObjExpr):
    op: str
    a: ObjExpr
    b: ObjExpr


@dataclass(frozen=True)
class ObjNumber(ObjExpr):
    value: float


@dataclass(frozen=True)
class Objective:
    name: str
    expr: ObjExpr
    text: str


@dataclass(frozen=True)
class Metric:
    """One report column: `label` is the canonical `bsl fmt` spelling, `trait` its trait or ''."""

    label: str
    trait: str
    summary: Summary


# ---- the ops of a breeding cycle ------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    pass


@dataclass(frozen=True)
class FoundersOp(Op):
    out: str
    founders: str
    span: Span = _span()


@dataclass(frozen=True)
class PhenotypeOp(Op):
    population: str
    cycle: int
    span: Span = _span()
    model: str | None = None  # draw the model trait's phenotypes from this model
    environment: tuple[float, ...] = ()  # covariate values, in the order of the model's covariates


@dataclass(frozen=True)
class SelectOp(Op):
    out: str
    source: str
    count: int | None
    fraction: float | None
    criterion: Feature
    within_family: bool
    cycle: int
    span: Span = _span()


@dataclass(frozen=True)
class MateOp(Op):
    out: str
    design: str  # "diallel" | "factorial" | "random" | "plan"
    parents: tuple[str, ...]
    selfing: bool = False
    num_pairs: int = 0  # for random
    plan: tuple[tuple[int, int], ...] = ()  # 0-based (mother, father) for plan
    cycle: int = 0
    span: Span = _span()


@dataclass(frozen=True)
class AllocateOp(Op):
    pairs: str
    total: int
    method: str  # "equal" | "fixed" | "softmax"
    per_pair: int = 0  # for fixed
    features: Feature | None = None  # for softmax
    weights: tuple[float, ...] | ConstRef | None = None
    rank: Feature | None = None  # pair ranking: equal's remainder
    rounding: str | None = None  # softmax: "round" or "floor" (Hamazaki & Iwata 2024, Eq. 1)
    cycle: int = 0
    span: Span = _span()


@dataclass(frozen=True)
class GenerationOp(Op):
    """Make a new population: cross a pair set, self or double-haploid a population or pair set."""

    kind: str  # "cross" | "self" | "dh"
    source: str
    out: str
    times: int = 1
    source_is_pairs: bool = False
    cycle: int = 0
    span: Span = _span()


@dataclass(frozen=True)
class RecordOp(Op):
    """End of a cycle: the current population is generation `cycle`; reports and objectives read it."""

    population: str
    cycle: int


@dataclass(frozen=True)
class ParamSpec:
    """A tunable constant: `rows` per-cycle rows (0 for one row) of len(labels) values in [lower, upper]."""

    name: str
    rows: int
    labels: tuple[str, ...]
    lower: float
    upper: float
    start: float

    @property
    def size(self) -> int:
        return max(self.rows, 1) * len(self.labels)

    def names(self) -> list[str]:
        """Column names of each value, e.g. `h[1].BV`."""
        if self.rows:
            return [f"{self.name}[{r + 1}].{lab}" for r in range(self.rows) for lab in self.labels]
        return [f"{self.name}.{lab}" for lab in self.labels] if len(self.labels) > 1 else [self.name]

    def shape(self, flat: list[float]) -> object:
        """Flat values back into the constant's shape (matrix, vector or number)."""
        width = len(self.labels)
        if self.rows:
            return [list(map(float, flat[r * width:(r + 1) * width])) for r in range(self.rows)]
        return list(map(float, flat)) if width > 1 else float(flat[0])


@dataclass(frozen=True)
class OptimizeSpec:
    param: str
    method: str  # "stosoo" | "cma" | "random"
    objective: str
    maximize: bool
    evaluations: int
    replicates_per_evaluation: int
    final_replicates: int
    options: tuple[tuple[str, float | str], ...] = ()  # optimizer settings given in the block


@dataclass
class Program:
    name: str
    seed: int
    replicates: int
    genome: GenomeSpec | None
    founders: list[FounderSpec]
    traits: list[TraitSpec]
    constants: dict[str, object]
    ops: list[Op]
    metrics: list[Metric]
    objectives: list[Objective]
    num_cycles: int
    defaults: dict[str, object]  # every default the compiler filled in, for explain and the manifest
    source_text: str = ""
    source_path: str = ""
    params: list[ParamSpec] = field(default_factory=list)
    optimize: OptimizeSpec | None = None
    models: list[ModelSpec] = field(default_factory=list)
