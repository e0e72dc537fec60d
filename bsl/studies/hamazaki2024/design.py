"""Hamazaki & Iwata (2024), Front. Plant Sci. 15:1361894, as the study needs it: the strategies, the
paper's design and published figures, and the study's settings measured against that design."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STRATEGIES = ("EQ", "BV", "WBV", "TBV", "BVGVP", "WBVGVP", "TBVGVP")
SCHEMES_DIR = Path(__file__).resolve().parents[3] / "schemes" / "02_hamazaki2024"

# Hamazaki & Iwata (2024), Front. Plant Sci. 15:1361894: Table 1 used 4,000 evaluations x 50
# simulations per strategy and trait, and 10,000 simulations to compare the answers.
PAPER_SETTINGS = {"evaluations": 4000, "trait_replicates": 10, "final_replicates": 10000,
                  "replicates_per_evaluation": 50}
PAPER_TABLE1 = {  # improvement in final gain over EQ (%): min, mean, max over ten traits
    "BV": (0.00, 2.97, 4.89), "WBV": (2.07, 2.88, 3.89), "TBV": (2.11, 3.52, 5.86),
    "BVGVP": (6.40, 8.63, 12.4), "WBVGVP": (6.99, 8.28, 9.95), "TBVGVP": (7.22, 9.33, 12.4)}
PAPER_TABLE2 = {  # optimized h for generations tau = 0..3 after 20,000 evaluations (one trait)
    ("BV", "BV"): (1.00, 0.33, 1.67, 1.89),
    ("BVGVP", "BV"): (1.00, 1.00, 1.67, 1.67), ("BVGVP", "GVP"): (0.33, 1.00, 1.67, 1.67)}
PAPER_FIG3B = {  # share of the 10,000 simulations whose final gain passed the local optimum near 1.15 (%)
    "EQ": 1.85, "BV": 16.0, "WBV": 16.4, "TBV": 30.1, "BVGVP": 55.1, "WBVGVP": 47.6, "TBVGVP": 49.4}


# --genome-founders: the founders block's settings that bring the panel closer to the paper's GENOME
# runs (-s 4000 SNPs per run; 2,000 founders from 4,000 haplotypes drawn with replacement).
GENOME_FOUNDERS = ("sites 4000", "haplotypes with_replacement")

# The study's optimizer: StoSOO is the paper's; CMA-ES and random search (the same `optimize` block's
# other methods) answer whether a result is the optimizer's or the scheme's.
OPTIMIZERS = {"stosoo": "StoSOO", "cma": "CMA-ES", "random": "random search"}


@dataclass(frozen=True)
class StudySettings:
    """What the study runs; a resumed study has the same settings (only trait_replicates may grow)."""

    evaluations: int = 4000
    trait_replicates: int = 10
    final_replicates: int = 10000
    replicates_per_evaluation: int = 50
    strategies: tuple[str, ...] = STRATEGIES
    small_founders: bool = False
    optimizer: str = "stosoo"
    panel: int | None = None  # the founders block's seed (another founder panel); None: the schemes' own
    genome_founders: bool = False  # founders block + GENOME_FOUNDERS: the paper's GENOME runs more closely

    def departures(self) -> list[str]:
        """How these settings fall short of the paper's Table 1, in words; empty at full size."""
        out = [f"{k.replace('_', ' ')} {getattr(self, k)} (paper {v})" for k, v in PAPER_SETTINGS.items()
               if getattr(self, k) != v]
        if self.strategies != STRATEGIES:
            out.append(f"strategies {', '.join(self.strategies)} only")
        if self.small_founders:
            out.append("small founders (--small-founders)")
        if self.optimizer != "stosoo":
            out.append(f"optimizer {OPTIMIZERS[self.optimizer]} (paper StoSOO)")
        if self.genome_founders:
            out.append("founders closer to the paper's GENOME runs (--genome-founders: "
                       + ", ".join(GENOME_FOUNDERS) + ")")
        if self.panel is not None:
            out.append(f"founder panel {self.panel} (--panel; the schemes' own panel is their founders block's seed)")
        return out
