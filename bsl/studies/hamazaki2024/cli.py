"""`python -m bsl.studies.hamazaki2024`: run (or resume) the study, then write its page."""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from bsl.studies.hamazaki2024.design import OPTIMIZERS, PAPER_SETTINGS, STRATEGIES, StudySettings
from bsl.studies.hamazaki2024.page import write_page
from bsl.studies.hamazaki2024.run import _Log, run_study

DEFAULT_PAGE = Path("docs") / "reproductions" / "hamazaki2024.md"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _strategies(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    bad = [s for s in chosen if s not in STRATEGIES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown strategy {', '.join(bad)}; choose from {', '.join(STRATEGIES)}")
    if "EQ" not in chosen:
        raise argparse.ArgumentTypeError("the strategies must include EQ, the baseline of Table 1")
    return tuple(s for s in STRATEGIES if s in chosen)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bsl.studies.hamazaki2024",
                                description="Run the Hamazaki & Iwata (2024) study and write its reproduction page.")
    p.add_argument("--out", type=Path, required=True, help="study folder (checkpoints and results)")
    p.add_argument("--evaluations", type=_positive, default=PAPER_SETTINGS["evaluations"],
                   help="optimizer evaluations per strategy and trait replicate (paper: 4000)")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="stosoo",
                   help="stosoo (the paper's), or cma / random to compare optimizers at the same budget")
    p.add_argument("--trait-replicates", type=_positive, default=PAPER_SETTINGS["trait_replicates"],
                   help="trait replicates: seeds seed, seed+1, ... of the schemes (paper: 10)")
    p.add_argument("--final-replicates", type=_positive, default=PAPER_SETTINGS["final_replicates"],
                   help="simulations comparing the strategies (paper: 10000)")
    p.add_argument("--replicates-per-evaluation", type=_positive,
                   default=PAPER_SETTINGS["replicates_per_evaluation"],
                   help="simulations averaged in one evaluation (paper: 50)")
    p.add_argument("--strategies", type=_strategies, default=STRATEGIES,
                   help=f"comma-separated subset of {','.join(STRATEGIES)} (EQ is required)")
    p.add_argument("--panel", type=_positive, default=None,
                   help="another founder panel: the seed for the schemes' founders block (default: their own, "
                        "2024); the trait seeds stay the same")
    p.add_argument("--genome-founders", action="store_true",
                   help="founders closer to the paper's GENOME runs: a fixed 4000 segregating sites per genealogy "
                        "and the pool drawn from the simulated haplotypes with replacement")
    p.add_argument("--small-founders", action="store_true",
                   help="a small coalescent panel instead of the 2000-plant pool (tests and smoke runs)")
    p.add_argument("--resume", action="store_true", help="continue the study in --out")
    p.add_argument("--page", type=Path, default=DEFAULT_PAGE, help=f"page to write (default {DEFAULT_PAGE})")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--threads", type=_positive, default=1,
                   help="torch CPU threads (default 1: an evaluation of 50 small simulations gains nothing from "
                        "more, and several threads on a busy machine can be ten times slower)")
    p.add_argument("--jobs", type=_positive, default=1,
                   help="strategies run at once in separate processes (one per core; default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bsl.diagnostics import BslError
    args = parse_args(argv)
    settings = StudySettings(args.evaluations, args.trait_replicates, args.final_replicates,
                             args.replicates_per_evaluation, args.strategies, args.small_founders, args.optimizer,
                             args.panel, args.genome_founders)
    argv = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m bsl.studies.hamazaki2024", *map(shlex.quote, argv)])
    log = _Log(args.quiet)
    import torch
    torch.set_num_threads(args.threads)
    try:
        run_study(args.out, settings, resume=args.resume, command=command, device=args.device, log=log,
                  jobs=args.jobs)
    except BslError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        log(f"interrupted; continue with: {command} --resume" if "--resume" not in argv else "interrupted")
        return 130
    finally:
        if (args.out / "study.json").is_file():
            log(f"page written to {write_page(args.out, args.page)}")
    return 0

