"""The types the checker works with and hands on: feature types, names bound in the cycle, the checked module."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bsl.source import SourceFile
from bsl.syntax import ast
from bsl.semantics import models as M


@dataclass(frozen=True)
class FeatureType:
    level: str  # "ind" | "pair" | "scalar"
    width: int


@dataclass
class Binding:
    """What a name holds at a point of the cycle: a population or a set of mating pairs."""

    kind: str  # "population" | "pairs"
    size: int | None  # individuals or pairs; None when only known at run time
    phenotyped: bool = False
    allocated: bool = False


@dataclass
class CheckedModule:
    """A module that passed the checker, with the symbol tables lowering needs."""

    module: ast.Module
    source: SourceFile
    constants: dict[str, object]
    traits: list[str]
    features: dict[str, ast.Expr]
    feature_types: dict[str, FeatureType]
    founder_sizes: dict[str, int | None]
    repeat: ast.RepeatDecl | None
    base_dir: Path
    model_info: dict[str, M.ModelInfo] = field(default_factory=dict)
    environments: dict[str, dict[str, float]] = field(default_factory=dict)
    model_traits: dict[str, str] = field(default_factory=dict)  # trait -> the model making its phenotypes
    model_environments: dict[str, set] = field(default_factory=dict)  # model -> environments the cycle uses


def describe(t: FeatureType) -> str:
    """A feature type in words, for messages: `value per individual`, `2-column value per mating pair`."""
    what = {"ind": "value per individual", "pair": "value per mating pair", "scalar": "number"}[t.level]
    return what if t.width == 1 else f"{t.width}-column {what}"
