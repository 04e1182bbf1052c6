"""Small self-contained SVG charts (lines, stacked bars, MAC steps, quadrant scatter) for the HTML report.

Text stays text in the SVG, so the viewer's browser draws the Chinese labels with its own fonts: the
machine that makes the report needs no CJK fonts.
"""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 660, 340
MARGIN = {"left": 84, "right": 170, "top": 34, "bottom": 52}
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=10 * magnitude)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e8:
        return f"{value / 1e8:g}亿"
    if magnitude >= 1e4:
        return f"{value / 1e4:g}万"
    return f"{value:g}"


class Frame:
    """Plot area with linear axes mapping data to pixels."""

    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float], title: str,
                 x_label: str, y_label: str, x_ticks: list[float] | None = None):
        self.x_ticks = x_ticks or nice_ticks(*x_range)
        self.y_ticks = nice_ticks(*y_range)
        self.x0, self.x1 = min(self.x_ticks[0], x_range[0]), max(self.x_ticks[-1], x_range[1])
        self.y0, self.y1 = min(self.y_ticks[0], y_range[0]), max(self.y_ticks[-1], y_range[1])
        if self.x1 == self.x0:
            self.x1 = self.x0 + 1
        if self.y1 == self.y0:
            self.y1 = self.y0 + 1
        self.left, self.right = MARGIN["left"], WIDTH - MARGIN["right"]
        self.top, self.bottom = MARGIN["top"], HEIGHT - MARGIN["bottom"]
        self.title, self.x_label, self.y_label = title, x_label, y_label
        self.parts: list[str] = []
        self.legend: list[tuple[str, str, str]] = []

    def px(self, x: float) -> float:
        return self.left + (x - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def py(self, y: float) -> float:
        return self.bottom - (y - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)

    def axes(self, x_format=fmt, y_format=fmt) -> str:
        out = [f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" class="title">{escape(self.title)}</text>']
        for tick in self.y_ticks:
            y = self.py(tick)
            out.append(f'<line x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
            out.append(f'<text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                       f'{escape(y_format(tick))}</text>')
        for tick in self.x_ticks:
            x = self.px(tick)
            out.append(f'<text x="{x:.1f}" y="{self.bottom + 16}" text-anchor="middle" class="tick">'
                       f'{escape(x_format(tick))}</text>')
        out.append(f'<line x1="{self.left}" x2="{self.right}" y1="{self.bottom}" y2="{self.bottom}" class="axis"/>')
        out.append(f'<line x1="{self.left}" x2="{self.left}" y1="{self.top}" y2="{self.bottom}" class="axis"/>')
        out.append(f'<text x="{(self.left + self.right) / 2}" y="{HEIGHT - 10}" text-anchor="middle" '
                   f'class="label">{escape(self.x_label)}</text>')
        out.append(f'<text transform="translate(16,{(self.top + self.bottom) / 2}) rotate(-90)" '
                   f'text-anchor="middle" class="label">{escape(self.y_label)}</text>')
        return "\n".join(out)

    def render(self, chart_id: str, x_format=fmt, y_format=fmt) -> str:
        legend = []
        for k, (label, color, kind) in enumerate(self.legend):
            y = self.top + 14 + 18 * k
            x = self.right + 14
            if kind == "box":
                mark = f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{color}"/>'
            elif kind == "dot":
                mark = f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{color}"/>'
            else:
                dash = ' stroke-dasharray="5,3"' if kind == "dash" else ""
                mark = (f'<line x1="{x}" x2="{x + 14}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" '
                        f'stroke-width="2.5"{dash}/>')
            legend.append(mark + f'<text x="{x + 20}" y="{y}" class="legend">{escape(label)}</text>')
        body = "\n".join([self.axes(x_format, y_format), *self.parts, *legend])
        return (f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
                f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(self.title)}">\n{body}\n</svg>')


def line_chart(chart_id: str, title: str, x_label: str, y_label: str, series: list[dict],
               markers: list[dict] | None = None) -> str:
    """``series``: {label, x: [...], y: [...], dash: bool}; ``markers``: {label, x, y} drawn as points."""
    markers = markers or []
    xs = [x for s in series for x in s["x"]] + [m["x"] for m in markers]
    ys = [y for s in series for y in s["y"]] + [m["y"] for m in markers]
    low, high = min(ys), max(ys)
    # Start the axis at zero unless that would squeeze the lines into a thin band at the top.
    floor = 0.0 if low <= 0 or low < 0.5 * high else low - 0.15 * (high - low) - 0.02 * high
    frame = Frame((min(xs), max(xs)), (min(0.0, low) if floor == 0.0 else floor,
                                       high + 0.05 * (high - min(0.0, floor)) if high > 0 else 1.0),
                  title, x_label, y_label, x_ticks=sorted(set(int(x) for x in xs)))
    for k, s in enumerate(series):
        color = s.get("color", PALETTE[k % len(PALETTE)])
        points = " ".join(f"{frame.px(x):.1f},{frame.py(y):.1f}" for x, y in zip(s["x"], s["y"]))
        dash = ' stroke-dasharray="6,4"' if s.get("dash") else ""
        frame.parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5"{dash}>'
                           f'<title>{escape(s["label"])}</title></polyline>')
        for x, y in zip(s["x"], s["y"]):
            frame.parts.append(f'<circle cx="{frame.px(x):.1f}" cy="{frame.py(y):.1f}" r="3" fill="{color}">'
                               f'<title>{escape(s["label"])} {int(x)}: {y:,.1f}</title></circle>')
        frame.legend.append((s["label"], color, "dash" if s.get("dash") else "line"))
    for m in markers:
        x, y = frame.px(m["x"]), frame.py(m["y"])
        frame.parts.append(f'<path d="M{x - 7:.1f},{y:.1f} L{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} '
                           f'L{x:.1f},{y + 7:.1f} Z" fill="#000"><title>{escape(m["label"])}: {m["y"]:,.1f}</title></path>')
    if markers:
        frame.legend.append((markers[0]["legend"], "#000", "dot"))
    return frame.render(chart_id, x_format=lambda v: str(int(v)))


def stacked_bar_chart(chart_id: str, title: str, x_label: str, y_label: str, categories: list,
                      stacks: dict[str, list[float]]) -> str:
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(categories))]
    frame = Frame((-0.5, len(categories) - 0.5), (0.0, max(totals + [1.0]) * 1.05), title, x_label, y_label,
                  x_ticks=list(range(len(categories))))
    frame.x0, frame.x1 = -0.5, len(categories) - 0.5
    width = (frame.px(1) - frame.px(0)) * 0.7
    for k, (label, values) in enumerate(stacks.items()):
        color = PALETTE[k % len(PALETTE)]
        frame.legend.append((label, color, "box"))
    base = [0.0] * len(categories)
    for k, (label, values) in enumerate(stacks.items()):
        color = PALETTE[k % len(PALETTE)]
        for i, value in enumerate(values):
            if value <= 0:
                continue
            y_top, y_bottom = frame.py(base[i] + value), frame.py(base[i])
            frame.parts.append(f'<rect x="{frame.px(i) - width / 2:.1f}" y="{y_top:.1f}" width="{width:.1f}" '
                               f'height="{max(0.5, y_bottom - y_top):.1f}" fill="{color}">'
                               f'<title>{escape(str(categories[i]))} {escape(label)}: {value:,.0f}</title></rect>')
            base[i] += value
    return frame.render(chart_id, x_format=lambda v: str(categories[int(round(v))]) if 0 <= round(v) < len(categories) else "")


def mac_chart(chart_id: str, title: str, x_label: str, y_label: str, bars: list[dict]) -> str:
    """Marginal abatement cost curve: bars sorted by cost, width = abatement potential, height = cost/t."""
    total = sum(b["width"] for b in bars) or 1.0
    heights = [b["height"] for b in bars] or [0.0]
    # A few dear measures with little abatement would flatten the curve: the axis stops at the cost
    # reached by 95 % of the abatement potential, and taller bars are cut off there (hover shows the value).
    cumulative, cap = 0.0, max(heights)
    for bar in bars:
        cumulative += bar["width"]
        if cumulative >= 0.95 * total:
            cap = max(bar["height"], 0.0)
            break
    top = max(cap, max(0.0, min(heights)) + 1.0)
    frame = Frame((0.0, total), (min(0.0, min(heights)), top * 1.05), title, x_label, y_label)
    x = 0.0
    for k, bar in enumerate(bars):
        color = PALETTE[k % len(PALETTE)]
        left, right = frame.px(x), frame.px(x + bar["width"])
        top, bottom = sorted((frame.py(min(bar["height"], frame.y1)), frame.py(0.0)))
        frame.parts.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{max(0.8, right - left):.1f}" '
                           f'height="{max(0.8, bottom - top):.1f}" fill="{color}" stroke="#fff" stroke-width="0.5">'
                           f'<title>{escape(bar["label"])}: {bar["height"]:,.0f} 元/t, {bar["width"]:,.0f} t/yr</title></rect>')
        x += bar["width"]
    return frame.render(chart_id)


def _symlog(value: float) -> float:
    return math.copysign(math.log10(1.0 + abs(value)), value)


def quadrant_chart(chart_id: str, title: str, x_label: str, y_label: str, points: list[dict],
                   quadrant_labels: tuple[str, str, str, str]) -> str:
    """协同控制效应坐标系: each point at (CO2 abatement, pollutant abatement) on signed-log axes.

    Quadrant labels in order: I (both cut), II (pollutant cut, CO2 added), III (both added),
    IV (CO2 cut, pollutant added).
    """
    xs = [_symlog(p["x"]) for p in points] or [0.0]
    ys = [_symlog(p["y"]) for p in points] or [0.0]
    span_x = max(1.0, max(abs(v) for v in xs)) * 1.1
    span_y = max(1.0, max(abs(v) for v in ys)) * 1.1
    frame = Frame((-span_x, span_x), (-span_y, span_y), title, x_label, y_label)
    frame.x0, frame.x1, frame.y0, frame.y1 = -span_x, span_x, -span_y, span_y
    frame.x_ticks = [t for t in range(-int(span_x), int(span_x) + 1)]
    frame.y_ticks = [t for t in range(-int(span_y), int(span_y) + 1)]
    cx, cy = frame.px(0), frame.py(0)
    frame.parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{frame.top}" y2="{frame.bottom}" class="axis"/>')
    frame.parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{cy:.1f}" y2="{cy:.1f}" class="axis"/>')
    corners = [(frame.right - 6, frame.top + 16, "end"), (frame.left + 6, frame.top + 16, "start"),
               (frame.left + 6, frame.bottom - 8, "start"), (frame.right - 6, frame.bottom - 8, "end")]
    for (x, y, anchor), label in zip(corners, quadrant_labels):
        frame.parts.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}" class="quadrant">{escape(label)}</text>')
    groups = sorted({p.get("group", "") for p in points})
    colors = {group: PALETTE[k % len(PALETTE)] for k, group in enumerate(groups)}
    for point in points:
        color = colors[point.get("group", "")]
        frame.parts.append(f'<circle cx="{frame.px(_symlog(point["x"])):.1f}" cy="{frame.py(_symlog(point["y"])):.1f}" '
                           f'r="5" fill="{color}" fill-opacity="0.8"><title>{escape(point["label"])}: '
                           f'CO2 {point["x"]:,.0f} t, {point["y"]:,.1f} t</title></circle>')
    for group in groups:
        if group:
            frame.legend.append((group, colors[group], "dot"))

    def power(v: float) -> str:
        return "0" if v == 0 else f"{'-' if v < 0 else ''}10^{abs(int(v))}"

    return frame.render(chart_id, x_format=power, y_format=power)
