"""Human output on stderr: a rich progress bar on a terminal, plain lines elsewhere, and the summary table."""
from __future__ import annotations

import sys


class Progress:
    def __init__(self, unit: str = "replicates"):
        self.tty = sys.stderr.isatty()
        self._bar = None
        self.unit = unit
        self._last_print = 0.0

    def __enter__(self):
        if self.tty:
            from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn
            self._bar = RichProgress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed}/{task.total} " + self.unit),
                                     TextColumn("{task.fields[info]}"),
                                     TimeElapsedColumn(), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("run", total=None, info="")
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def evaluation(self, done: int, total: int, best: float, elapsed: float) -> None:
        """Optimizer progress: evaluations done, best value, rate and time left."""
        import time
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else float("nan")
        info = f"best {best:.5g}  {rate:.1f}/s  {left:.0f} s left"
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total, info=info)
        elif time.monotonic() - self._last_print > 10 or done == total:
            self._last_print = time.monotonic()
            print(f"evaluation {done}/{total}: {info}", file=sys.stderr)

    def training(self, model: str, info: dict) -> None:
        """Training progress: epoch, seconds, and the last losses of the epoch."""
        import time
        losses = "  ".join(f"{k} {v:.4g}" for k, v in (info.get("losses") or {}).items()
                           if isinstance(v, (int, float)))
        text = f"model {model}: epoch {info.get('epoch', '?')}  {info.get('seconds', 0):.0f} s  {losses}"
        if self._bar is not None:
            self._bar.update(self._task, completed=int(info.get("epoch", 0)), info=losses)
        elif time.monotonic() - self._last_print > 10:
            self._last_print = time.monotonic()
            print(text, file=sys.stderr)

    def status(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message)
        else:
            print(message, file=sys.stderr)

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
        else:
            print(f"simulated {done}/{total} replicates", file=sys.stderr)

    def table(self, result) -> None:
        from rich.console import Console
        from rich.table import Table
        console = Console(stderr=True, force_terminal=False if not self.tty else None, width=100)
        df = result.cycles
        df = df[~df["metric"].str.contains(r"\[", regex=True)]
        t = Table(title=f"{result.manifest['scheme']['name']}: {result.manifest['replicates']} replicates in "
                        f"{result.wall_seconds:.2f} s; means over replicates")
        traits = [x for x in df["trait"].unique() if x]
        label = df["metric"] if len(traits) <= 1 else df["metric"] + df["trait"].map(lambda x: f" [{x}]" if x else "")
        df = df.assign(column=label)
        pivot = df.groupby(["cycle", "column"], sort=False)["value"].mean().unstack("column")
        t.add_column("cycle")
        for c in pivot.columns:
            t.add_column(str(c), justify="right")
        for cycle, row in pivot.iterrows():
            t.add_row(str(cycle), *[f"{v:.4g}" for v in row.values])
        console.print(t)
        summary = result.summary()["objectives"]
        for name, s in summary.items():
            console.print(f"objective {name}: mean {s['mean']:.4g}, sd {s['sd']:.4g}, n {s['n']}")
