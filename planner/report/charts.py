"""Report charts as plotly figures: lines against BAU and targets, stacked bars, the MAC curve, the
co-control coordinate chart, bars by run.

Plotly draws in the reader's browser from data embedded in the page (plotly.js is embedded too,
so the page opens offline and from e-mail): hover shows each value, clicking a legend entry hides
or shows its series, dragging zooms and a double click resets. Chart text stays text, so the
reader's own fonts draw the Chinese labels. Colours come from planner/report/colours.py.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from planner.report.colours import BAU_COLOUR, TARGET_COLOUR, sector_colour

CHART_WIDTH, CHART_HEIGHT = 640, 380
FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
# A MAC bar taller than the cost reached by this share of the abatement potential is cut at the
# axis top and marked with its value, so that a few dear measures do not flatten the curve.
MAC_CAP_SHARE = 0.95


def number_format(lang: str) -> str:
    """Axis numbers: full digits with separators in Chinese (万/亿 are not d3 units), SI in English."""
    return ",~r" if lang == "zh" else "~s"


def base_layout(title: str, x_title: str, y_title: str, lang: str, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0.5, "font": {"size": 15}},
        "width": CHART_WIDTH, "height": CHART_HEIGHT,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "font": {"family": FONT, "size": 12},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "tickformat": number_format(lang), "automargin": True},
        "legend": {"orientation": "h", "y": -0.22},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
        "hovermode": "closest",
    }
    layout["xaxis"].update({"gridcolor": "#eeeeee", "linecolor": "#555555"})
    layout["yaxis"].update({"gridcolor": "#eeeeee", "linecolor": "#555555", "zerolinecolor": "#999999"})
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key].update(value)
        else:
            layout[key] = value
    return layout


def line_figure(title: str, x_title: str, y_title: str, series: list[dict], lang: str,
                markers: list[dict] | None = None, x_is_year: bool = True) -> go.Figure:
    """``series``: {label, x, y, colour, dash}; ``markers``: {label, x, y} drawn as black diamonds.

    Years are shown as whole numbers with one tick per year; other x values (budgets) get the
    axis's own spaced ticks with separators, so tick labels never run together.
    """
    figure = go.Figure()
    for s in series:
        figure.add_trace(go.Scatter(
            x=list(s["x"]), y=list(s["y"]), name=s["label"], mode="lines+markers",
            line={"color": s.get("colour"), "width": 2.5, "dash": "dash" if s.get("dash") else "solid"},
            marker={"size": 5}, hovertemplate="%{x}: %{y:,.1f}<extra>" + s["label"] + "</extra>"))
    if markers:
        figure.add_trace(go.Scatter(
            x=[m["x"] for m in markers], y=[m["y"] for m in markers], name=markers[0]["legend"], mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": TARGET_COLOUR},
            text=[m["label"] for m in markers], hovertemplate="%{text}: %{y:,.1f}<extra></extra>"))
    xaxis = ({"tickformat": "d", "dtick": 1} if x_is_year
             else {"tickformat": number_format(lang), "nticks": 8})
    figure.update_layout(base_layout(title, x_title, y_title, lang, xaxis=xaxis))
    return figure


def stacked_bar_figure(title: str, x_title: str, y_title: str, categories: list, stacks: list[dict],
                       lang: str) -> go.Figure:
    """``stacks``: {label, values, colour}, one trace per stack (a legend entry each)."""
    figure = go.Figure()
    for stack in stacks:
        figure.add_trace(go.Bar(x=list(categories), y=list(stack["values"]), name=stack["label"],
                                marker={"color": stack["colour"]},
                                hovertemplate="%{x} " + stack["label"] + ": %{y:,.0f}<extra></extra>"))
    figure.update_layout(base_layout(title, x_title, y_title, lang, barmode="stack",
                                 xaxis={"tickformat": "d", "dtick": 1, "type": "category"}))
    return figure


def mac_cap(heights: list[float], widths: list[float]) -> float:
    """The axis top of a MAC curve: the cost reached by ``MAC_CAP_SHARE`` of the potential.

    >>> mac_cap([10, 20, 5000], [50, 49, 1])
    20
    """
    total = sum(widths) or 1.0
    cumulative = 0.0
    for height, width in zip(heights, widths):
        cumulative += width
        if cumulative >= MAC_CAP_SHARE * total - 1e-12:
            return max(height, 0.0)
    return max(heights, default=0.0)


def mac_figure(title: str, x_title: str, y_title: str, bars: list[dict], lang: str, clipped_label: str) -> go.Figure:
    """Marginal abatement cost curve: bars in cost order, width = potential (t/yr), height = 元/t.

    ``bars``: {measure, label, sector, sector_label, height, width}. One trace per sector, so the
    legend names the sectors and toggles them. Bars above the cap are cut at the axis top and
    marked with a triangle and their value; zooming out (or autoscale) shows them whole.
    """
    heights = [b["height"] for b in bars]
    widths = [b["width"] for b in bars]
    per_t, per_yr = ("元/吨", "吨/年") if lang == "zh" else ("元/t", "t/yr")
    cap = mac_cap(heights, widths)
    low = min([0.0] + heights)
    top = max(cap, low + 1.0) * 1.08 if cap > 0 else 1.0
    left = 0.0
    placed = []
    for bar in bars:
        placed.append({**bar, "x": left + bar["width"] / 2})
        left += bar["width"]
    figure = go.Figure()
    for sector in dict.fromkeys(b["sector"] for b in placed):
        group = [b for b in placed if b["sector"] == sector]
        figure.add_trace(go.Bar(
            x=[b["x"] for b in group], y=[b["height"] for b in group], width=[b["width"] for b in group],
            name=group[0]["sector_label"], marker={"color": sector_colour(sector), "line": {"color": "#fff", "width": 0.5}},
            customdata=[[b["label"], b["width"]] for b in group],
            hovertemplate=f"%{{customdata[0]}}: %{{y:,.0f}} {per_t}, %{{customdata[1]:,.0f}} {per_yr}<extra></extra>"))
    clipped = [b for b in placed if b["height"] > top]
    annotations = []
    if clipped:
        figure.add_trace(go.Scatter(
            x=[b["x"] for b in clipped], y=[top * 0.985] * len(clipped), mode="markers", name=clipped_label,
            marker={"symbol": "triangle-up", "size": 10, "color": "#000"},
            customdata=[[b["label"], b["height"]] for b in clipped],
            hovertemplate=f"%{{customdata[0]}}: %{{customdata[1]:,.0f}} {per_t}<extra></extra>"))
        listed = "<br>".join(f"▲ {b['label']}: {b['height']:,.0f} {per_t}" for b in clipped[:5])
        if len(clipped) > 5:
            listed += f"<br>… +{len(clipped) - 5}"
        annotations.append({"x": 0.01, "y": 0.99, "xref": "paper", "yref": "paper", "xanchor": "left",
                            "yanchor": "top", "align": "left", "showarrow": False, "text": listed,
                            "font": {"size": 10}, "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ccc"})
    figure.update_layout(base_layout(title, x_title, y_title, lang, barmode="overlay", bargap=0, annotations=annotations,
                                 xaxis={"tickformat": number_format(lang), "range": [0, max(left, 1.0)]},
                                 yaxis={"range": [min(low * 1.08, 0.0), top]}))
    return figure


def symlog(value: float) -> float:
    """Signed log10(1 + |v|): keeps sign and zero, so negative abatement stays on the chart."""
    return math.copysign(math.log10(1.0 + abs(value)), value)


def _power_ticks(span: float) -> tuple[list[float], list[str]]:
    values = list(range(-int(span), int(span) + 1))
    return values, ["0" if v == 0 else f"{'-' if v < 0 else ''}10<sup>{abs(v)}</sup>" for v in values]


def quadrant_figure(title: str, x_title: str, y_title: str, points: list[dict], quadrant_labels, lang: str,
                    hover_units: tuple[str, str] = ("t", "t")) -> go.Figure:
    """协同控制效应坐标系: each measure at (x, y) on signed-log axes, one trace per sector.

    ``points``: {label, x, y, sector, sector_label}. Quadrant labels in order: I (both cut),
    II (pollutant cut, CO2 added), III (both added), IV (CO2 cut, pollutant added).
    """
    xs = [symlog(p["x"]) for p in points] or [0.0]
    ys = [symlog(p["y"]) for p in points] or [0.0]
    span_x = max(1.0, max(abs(v) for v in xs)) * 1.1
    span_y = max(1.0, max(abs(v) for v in ys)) * 1.1
    figure = go.Figure()
    for sector in dict.fromkeys(p["sector"] for p in points):
        group = [p for p in points if p["sector"] == sector]
        figure.add_trace(go.Scatter(
            x=[symlog(p["x"]) for p in group], y=[symlog(p["y"]) for p in group], mode="markers",
            name=group[0]["sector_label"], marker={"size": 9, "color": sector_colour(sector), "opacity": 0.85},
            customdata=[[p["label"], p["x"], p["y"]] for p in group],
            hovertemplate=("%{customdata[0]}: %{customdata[1]:,.1f} " + hover_units[0] + ", %{customdata[2]:,.2f} "
                           + hover_units[1] + "<extra></extra>")))
    x_ticks, x_text = _power_ticks(span_x)
    y_ticks, y_text = _power_ticks(span_y)
    corners = [(0.98, 0.98, "right", "top"), (0.02, 0.98, "left", "top"), (0.02, 0.02, "left", "bottom"),
               (0.98, 0.02, "right", "bottom")]
    annotations = [{"x": x, "y": y, "xref": "paper", "yref": "paper", "text": label, "showarrow": False,
                    "xanchor": xa, "yanchor": ya, "font": {"color": "#999", "size": 12}}
                   for (x, y, xa, ya), label in zip(corners, quadrant_labels)]
    figure.update_layout(base_layout(
        title, x_title, y_title, lang, annotations=annotations,
        xaxis={"range": [-span_x, span_x], "tickvals": x_ticks, "ticktext": x_text, "zeroline": True,
               "zerolinecolor": "#555", "tickformat": None},
        yaxis={"range": [-span_y, span_y], "tickvals": y_ticks, "ticktext": y_text, "zeroline": True,
               "zerolinecolor": "#555", "tickformat": None}))
    return figure


def grouped_bar_figure(title: str, x_title: str, y_title: str, categories: list, groups: list[dict],
                       lang: str, horizontal: bool = False) -> go.Figure:
    """``groups``: {label, values, colour}: one bar per category and group, side by side."""
    figure = go.Figure()
    for group in groups:
        values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in group["values"]]
        if horizontal:
            bar = go.Bar(y=list(categories), x=values, orientation="h", name=group["label"],
                         marker={"color": group["colour"]}, hovertemplate="%{y}: %{x:,.1f}<extra>"
                         + group["label"] + "</extra>")
        else:
            bar = go.Bar(x=list(categories), y=values, name=group["label"], marker={"color": group["colour"]},
                         hovertemplate="%{x}: %{y:,.1f}<extra>" + group["label"] + "</extra>")
        figure.add_trace(bar)
    extra = {"barmode": "group", "xaxis": {"type": "category"}}
    if horizontal:
        extra = {"barmode": "group", "yaxis": {"type": "category", "tickformat": None, "automargin": True},
                 "xaxis": {"tickformat": number_format(lang)}}
    figure.update_layout(base_layout(title, x_title, y_title, lang, **extra))
    return figure


def figure_json(figure: go.Figure) -> dict:
    """The figure as plain JSON data for the page (numpy values become numbers)."""
    import json

    import plotly.io

    return json.loads(plotly.io.to_json(figure, validate=False))
