"""The Hamazaki & Iwata (2024) study: the seven progeny-allocation strategies of
schemes/02_hamazaki2024 run on every trait replicate, and the page that compares them with the
paper's Table 1, Fig. 3A/3B/3D and Table 2.

    python -m bsl.studies.hamazaki2024 --out DIR [--evaluations N] [--trait-replicates K]
        [--final-replicates F] [--replicates-per-evaluation R] [--resume] [--page FILE]
        [--strategies EQ,BV,...] [--optimizer stosoo|cma|random] [--panel SEED] [--genome-founders]
        [--small-founders] [--threads T] [--device cpu|cuda]
    python -m bsl.studies.hamazaki2024.room --out DIR [--panels 2024,1,2,3] [--traits 20]
        [--replicates 1000] [--page FILE]
    python -m bsl.studies.hamazaki2024.compare DIR[=PAGE] ... --page FILE [--room ROOM_JSON]

Trait replicate k runs every scheme with seed ``seed + k - 1``; the scheme's `seed` draws the QTL
and the simulations, while the founders block's own `seed` keeps one founder panel for all. DIR holds study.json (settings, trait seeds, sessions with their wall
time) and, for trait replicate k and strategy s, ``trait_kk/s/``: the optimization's trace.csv and
best.json (bsl.optimize.search: every evaluation on disk before the next starts), timing.json,
``final/``, the results contract of the strategy run with F replicates, and summary.json, what the
page needs of ``final/`` (mean, s.d. and 1,001 quantiles of the final gain, per-cycle means). A step
whose summary.json exists is done; ``--resume`` skips it and continues an interrupted optimization
from its trace. A resumed study keeps its settings, except that ``--trait-replicates`` may grow.
The page is rendered from study.json, the summaries, best.json and timing.json alone, so those small
files (docs/reproductions/hamazaki2024/study/, trace.csv and final/ left out by .gitignore) are
all a later session needs to carry the study on. ``--jobs N`` runs N strategies at once.
``--optimizer`` swaps StoSOO for CMA-ES or random search at the same budget. The room sweep
(room.py) runs EQ alone over founder panels x trait seeds into DIR/room.json: how much improvement
over EQ each trait draw allows at most; the page shows it when the file is there. ``--panel`` runs
the study on another founder panel, ``--genome-founders`` on founders closer to the paper's GENOME
runs, and compare.py puts several study folders side by side with the paper's Table 1.
"""

from bsl.studies.hamazaki2024.design import PAPER_SETTINGS, STRATEGIES, StudySettings
from bsl.studies.hamazaki2024.page import render_page, write_figures, write_page
from bsl.studies.hamazaki2024.results import StrategyResult, collect, improvements, summarize, timings
from bsl.studies.hamazaki2024.run import run_study, run_task, strategy_graph

__all__ = ["PAPER_SETTINGS", "STRATEGIES", "StrategyResult", "StudySettings", "collect", "improvements",
           "render_page", "run_study", "run_task", "strategy_graph", "summarize", "timings", "write_figures",
           "write_page"]
