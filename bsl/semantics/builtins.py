"""The built-in vocabulary of bsl: block settings, feature functions, summaries and their signatures."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingRule:
    kind: str  # "int" | "number" | "length" | "name" | "string" | "call" | "name_or_string" | "int_or_string"
    choices: tuple[str, ...] = ()
    by: tuple[str, ...] = ()  # allowed `by X` words
    per: tuple[str, ...] = ()  # allowed `per X` words
    comparators: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


GENOME_SETTINGS = {
    "chromosomes": SettingRule("int", minimum=1, doc="number of chromosomes"),
    "loci_per_chromosome": SettingRule("int", minimum=1, doc="loci (markers and QTL) on each chromosome"),
    "length": SettingRule("length", minimum=1e-9, doc="genetic length of each chromosome (M or cM)"),
    "map": SettingRule("name_or_string", choices=("haldane", "kosambi"),
                       doc="map function, or a map CSV (chromosome, position)"),
    "ploidy": SettingRule("int", minimum=2, maximum=2, doc="only diploids are supported"),
}

COALESCENT_SETTINGS = {
    "effective_size": SettingRule("int", minimum=1, doc="effective population size of the coalescent"),
    "pool": SettingRule("int", minimum=2, doc="diploid individuals simulated before sampling the panel"),
    "sample": SettingRule("int", minimum=1, by=("kmedoids", "random"), doc="panel size and how it is picked"),
    "maf": SettingRule("number", comparators=(">=", ">"), minimum=0.0, maximum=0.5, doc="minor allele frequency filter"),
    "random_mating": SettingRule("int", minimum=0, doc="generations of random mating after the coalescent"),
    "mutation_rate": SettingRule("number", minimum=1e-12, doc="per base per generation"),
    "linked_length": SettingRule("length", minimum=1e-3, doc="longest stretch of a chromosome simulated as one linked "
                                 "sequence (M or cM); longer chromosomes are simulated as independent pieces"),
    "genealogy": SettingRule("name", choices=("independent", "shared"),
                             doc="independent: each chromosome its own coalescent (default); shared: every "
                             "chromosome takes its loci from one genealogy, as myBreedSimulatR's founders did"),
    "sites": SettingRule("int", minimum=1, doc="segregating sites kept per genealogy before the MAF filter, "
                         "chosen at random as GENOME's -s places a fixed number of SNPs (default: all)"),
    "haplotypes": SettingRule("name", choices=("once", "with_replacement"),
                              doc="once: each simulated haplotype is one homologue (default); with_replacement: "
                              "each pool individual draws two simulated haplotypes with replacement"),
    "seed": SettingRule("int", minimum=0, doc="seed of this founder simulation alone (default: drawn from the "
                        "scheme's seed), so schemes with different seeds can share one founder panel"),
}

FILE_FOUNDER_SETTINGS: dict[str, SettingRule] = {}

MODEL_FOUNDER_SETTINGS = {
    "sample": SettingRule("int", minimum=1, doc="founders sampled from the trained model"),
    "given": SettingRule("number", doc="the condition's value the founders are sampled at (a model with `condition`)"),
}

# Generative genotype models (bsl/genai/models): `model g = diffusion { data base ... }`
MODEL_FAMILIES = ("diffusion", "autoregressive", "vae", "flow", "wgan_gp")
CONDITIONAL_FAMILIES = ("flow", "wgan_gp")  # genotype families that learn p(genotype | condition)
PCA_FAMILIES = ("diffusion", "flow")  # genotype families that generate in a per-chromosome PCA space
MODEL_SETTINGS = {
    "data": SettingRule("name", doc="the founders set the model learns from"),
    "epochs": SettingRule("int", minimum=1, doc="training epochs (stops earlier at max_seconds)"),
    "max_seconds": SettingRule("number", minimum=1e-3, doc="training time budget in seconds"),
    "holdout": SettingRule("number", minimum=0.0, maximum=0.9,
                           doc="share of the data held out from training for `bsl evaluate`"),
    "seed": SettingRule("int", minimum=0, doc="seed of the training (default: drawn from the scheme's seed)"),
    "path": SettingRule("string", doc="folder of the trained model (default models/<name> next to the scheme)"),
    "phenotypes": SettingRule("string", doc="trial records (CSV: individual, the trait, covariates): makes the "
                              "model a phenotype model, drawn given genotype and environment"),
    "pca_variance": SettingRule("number", minimum=1e-3, maximum=1.0, doc="share of each chromosome's genotype "
                                "variance the PCA space keeps (diffusion, flow; default 0.9)"),
    "condition": SettingRule("name", doc="a column of the trial records: the genotype model learns genotypes "
                             "given each individual's mean of it, and founders are sampled `given` a value"),
}

TRAIT_SETTINGS = {
    "qtl": SettingRule("int_or_string", minimum=1, per=("chromosome",), doc="number of QTL, or a QTL CSV"),
    "effects": SettingRule("call", choices=("normal", "gamma", "constant"), doc="additive effect distribution"),
    "dominance": SettingRule("call", choices=("normal", "constant"), doc="dominance degree distribution"),
    "heritability": SettingRule("number", minimum=0.0, maximum=1.0, doc="narrow-sense heritability in the base"),
    "error_variance": SettingRule("number", minimum=0.0, doc="environmental variance"),
    "model": SettingRule("name", doc="the phenotype model whose draws are this trait's phenotypes (no QTL)"),
}

# name -> (number of parameters allowed, parameter names)
DISTRIBUTIONS = {
    "normal": ((2,), ("mean", "variance")),
    "gamma": ((1, 2), ("shape", "scale")),
    "constant": ((1,), ("value",)),
}

# Feature functions: name -> (argument kind, result level)
TRAIT_FEATURES = {
    "gv": "ind",
    "phenotype": "ind",
    "breeding_value": "ind",
    "weighted_breeding_value": "ind",
    "progeny_variance": "pair",
}
FEATURE_COMBINATORS = ("z", "mean_parent")
R_FEATURE = "r"  # r("file.R", "function"): one value per individual from an R function

# Summaries of a population at a cycle (reports and objectives).
SUMMARIES_OF_VALUES = ("mean", "var", "sd", "min", "max")
SUMMARY_TOP = "top"
SUMMARIES_OF_TRAIT = ("genic_var",)
SUMMARIES_OF_LOCI = ("inbreeding", "heterozygosity", "allele_freq")

OPTIMIZE_SETTINGS = {
    "maximize": SettingRule("name", doc="the objective to maximize"),
    "minimize": SettingRule("name", doc="the objective to minimize"),
    "evaluations": SettingRule("int", minimum=1, doc="objective evaluations (the budget n)"),
    "replicates_per_evaluation": SettingRule("int", minimum=1, doc="simulations averaged per evaluation"),
    "final_replicates": SettingRule("int", minimum=1, doc="simulations for the final comparison"),
    "max_evals_per_node": SettingRule("int", minimum=1, doc="StoSOO: evaluations per node before it splits"),
    "max_depth": SettingRule("int", minimum=1, doc="StoSOO: deepest layer of the tree"),
    "delta": SettingRule("number", minimum=1e-300, doc="StoSOO: confidence parameter"),
    "split": SettingRule("name", choices=("exact", "reference"),
                         doc="StoSOO: which of equally wide dimensions splits: exact (the first) or reference "
                             "(myBreedSimulatR's floating-point widths)"),
    "sigma0": SettingRule("number", minimum=1e-9, maximum=1.0, doc="CMA-ES: initial step in unit-cube units"),
}
OPTIMIZERS = ("stosoo", "cma", "random")

ALLOCATION_METHODS = ("equal", "fixed", "softmax")
SOFTMAX_ROUNDINGS = ("round", "floor")  # softmax(..., rounding = R): counts before the repair to the total
MATING_DESIGNS = ("diallel", "factorial", "random")

KEYWORD_VALUES = {"true": True, "false": False}

ALL_FUNCTIONS = (tuple(TRAIT_FEATURES) + FEATURE_COMBINATORS + SUMMARIES_OF_VALUES + (SUMMARY_TOP,)
                 + SUMMARIES_OF_TRAIT + SUMMARIES_OF_LOCI)
