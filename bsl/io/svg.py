"""Charts written directly as SVG (line charts, scatter plots, triangle heatmaps), so that figures need no plotting dependency."""
from __future__ import annotations

import math

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
Series = tuple[str, list[float], list[float]]  # (label, xs, ys)


def ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About n round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 12) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Frame:
    """Axes, grid, labels and legend of one chart; maps data to pixels."""

    def __init__(self, series: list[Series], *, title: str, xlabel: str, ylabel: str, integer_x: bool,
                 width: int, height: int, square: bool = False, pad_x: bool = False):
        self.left, self.right, self.top, self.bottom = 70, 190, 34, 50
        xs = [x for _, sx, _ in series for x in sx if math.isfinite(x)]
        ys = [y for _, _, sy in series for y in sy if math.isfinite(y)]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if square:
            x0 = y0 = min(x0, y0)
            x1 = y1 = max(x1, y1)
        pad = 0.05 * (y1 - y0 or abs(y1) or 1.0)
        self.y0, self.y1 = y0 - pad, y1 + pad
        xpad = 0.05 * (x1 - x0 or abs(x1) or 1.0) if square or pad_x else 0.0
        self.x0, self.x1 = x0 - xpad, x1 + xpad
        self.pw, self.ph = width - self.left - self.right, height - self.top - self.bottom
        e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{self.left + self.pw / 2:.1f}" y="20" text-anchor="middle" font-size="14">{_xml(title)}</text>']
        xt = list(range(math.ceil(self.x0), int(self.x1) + 1)) if integer_x else ticks(self.x0, self.x1)
        for t in xt:
            e.append(f'<line x1="{self.px(t):.1f}" y1="{self.top}" x2="{self.px(t):.1f}" y2="{self.top + self.ph}" '
                     'stroke="#e5e5e5"/>')
            e.append(f'<text x="{self.px(t):.1f}" y="{self.top + self.ph + 16}" text-anchor="middle">{t:g}</text>')
        for t in ticks(self.y0, self.y1):
            e.append(f'<line x1="{self.left}" y1="{self.py(t):.1f}" x2="{self.left + self.pw}" y2="{self.py(t):.1f}" '
                     'stroke="#e5e5e5"/>')
            e.append(f'<text x="{self.left - 6}" y="{self.py(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
        e.append(f'<rect x="{self.left}" y="{self.top}" width="{self.pw}" height="{self.ph}" fill="none" stroke="#333"/>')
        e.append(f'<text x="{self.left + self.pw / 2:.1f}" y="{height - 12}" text-anchor="middle">{_xml(xlabel)}</text>')
        e.append(f'<text transform="translate(18,{self.top + self.ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
                 f'{_xml(ylabel)}</text>')
        self.elements = e

    def px(self, x: float) -> float:
        return self.left + (x - self.x0) / ((self.x1 - self.x0) or 1.0) * self.pw

    def py(self, y: float) -> float:
        return self.top + self.ph - (y - self.y0) / ((self.y1 - self.y0) or 1.0) * self.ph

    def legend(self, i: int, label: str, mark) -> None:
        """One legend row: mark(x, y) draws the symbol at the row's left end."""
        ly = self.top + 14 + 18 * i
        self.elements.append(mark(self.left + self.pw + 12, ly))
        self.elements.append(f'<text x="{self.left + self.pw + 50}" y="{ly + 4}">{_xml(label)}</text>')

    def done(self) -> str:
        return "\n".join(self.elements + ["</svg>"]) + "\n"


def lines(styles: dict[str, tuple[str, str]], series: list[Series], *, title: str, xlabel: str, ylabel: str,
          integer_x: bool = False, width: int = 680, height: int = 420) -> str:
    """A line chart: one polyline per (label, xs, ys); styles maps a label to (colour, dash array)."""
    f = _Frame(series, title=title, xlabel=xlabel, ylabel=ylabel, integer_x=integer_x, width=width, height=height)
    for i, (label, sx, sy) in enumerate(series):
        colour, dash = styles.get(label, (PALETTE[i % len(PALETTE)], ""))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = " ".join(f"{f.px(x):.1f},{f.py(y):.1f}" for x, y in zip(sx, sy) if math.isfinite(x) and math.isfinite(y))
        f.elements.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}>'
                          f'<title>{_xml(label)}</title></polyline>')
        f.legend(i, label, lambda x, y, c=colour, d=dash_attr:
                 f'<line x1="{x}" y1="{y}" x2="{x + 32}" y2="{y}" stroke="{c}" stroke-width="2"{d}/>')
    return f.done()


def scatter(series: list[Series], *, title: str, xlabel: str, ylabel: str, diagonal: bool = False,
            width: int = 560, height: int = 420, radius: float = 2.0, opacity: float = 0.5) -> str:
    """A scatter plot: one colour per (label, xs, ys); `diagonal` draws y = x on equal axes."""
    f = _Frame(series, title=title, xlabel=xlabel, ylabel=ylabel, integer_x=False, width=width, height=height,
               square=diagonal, pad_x=True)
    if diagonal:
        lo, hi = max(f.x0, f.y0), min(f.x1, f.y1)
        f.elements.append(f'<line x1="{f.px(lo):.1f}" y1="{f.py(lo):.1f}" x2="{f.px(hi):.1f}" y2="{f.py(hi):.1f}" '
                          'stroke="#999" stroke-dasharray="4 3"/>')
    for i, (label, sx, sy) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        dots = "".join(f'<circle cx="{f.px(x):.1f}" cy="{f.py(y):.1f}" r="{radius}"/>'
                       for x, y in zip(sx, sy) if math.isfinite(x) and math.isfinite(y))
        f.elements.append(f'<g fill="{colour}" fill-opacity="{opacity}"><title>{_xml(label)}</title>{dots}</g>')
        f.legend(i, label, lambda x, y, c=colour: f'<circle cx="{x + 16}" cy="{y}" r="4" fill="{c}"/>')
    return f.done()


def heatmap(lower: list[list[float]], upper: list[list[float]], *, title: str, lower_label: str, upper_label: str,
            size: int = 420) -> str:
    """Two square matrices with values in [0, 1] in one triangle plot (e.g. real and synthetic r²):
    cell (i, j) below the diagonal from ``lower``, above it from ``upper``; white 0 to dark red 1."""
    n = len(lower)
    if n == 0 or len(upper) != n or any(len(r) != n for r in lower + upper):
        raise ValueError("heatmap needs two square matrices of the same size")
    left, top, cell = 40, 40, size / n
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + size + 110}" height="{top + size + 30}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20" font-size="14">{_xml(title)}</text>']
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            v = lower[i][j] if i > j else upper[i][j]
            v = min(max(float(v), 0.0), 1.0) if math.isfinite(v) else 0.0
            shade = f"rgb(255,{round(255 * (1 - v))},{round(255 * (1 - v) ** 1.5)})"
            out.append(f'<rect x="{left + j * cell:.2f}" y="{top + i * cell:.2f}" width="{cell + 0.05:.2f}" '
                       f'height="{cell + 0.05:.2f}" fill="{shade}"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left + size}" y2="{top + size}" stroke="#444" stroke-width="0.5"/>')
    out.append(f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{left + 6}" y="{top + size - 8}">{_xml(lower_label)} (below)</text>')
    out.append(f'<text x="{left + size - 6}" y="{top + 16}" text-anchor="end">{_xml(upper_label)} (above)</text>')
    for k, v in enumerate((1.0, 0.75, 0.5, 0.25, 0.0)):  # legend
        y = top + k * 22
        out.append(f'<rect x="{left + size + 14}" y="{y}" width="18" height="18" stroke="#444" '
                   f'fill="rgb(255,{round(255 * (1 - v))},{round(255 * (1 - v) ** 1.5)})"/>')
        out.append(f'<text x="{left + size + 38}" y="{y + 13}">r² {v:g}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
