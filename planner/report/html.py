"""report.html: one self-contained page (plotly.js embedded, no link out), sections with a reading,
interactive charts and tables."""

from __future__ import annotations

import json
import math
from html import escape

from planner.report.charts import figure_json
from planner.report.content import Report, Sheet
from planner.report.labels import phrase


def html_table(sheet: Sheet) -> str:
    """Numbers right-aligned with thousands separators (years without), fractions as %, text left."""
    columns = [str(c) for c in sheet.table.columns]
    percent = [sheet.percent.get(c) for c in columns]
    years = ["年份" in c or "year" in c.lower() for c in columns]

    def is_number(value) -> bool:
        return (not isinstance(value, bool) and (isinstance(value, (int, float)) or type(value).__module__ == "numpy")
                and not (isinstance(value, float) and math.isnan(value)))

    # A column that holds numbers shows its empty cells (— or blank) aligned with them.
    numeric = [bool(sheet.table.iloc[:, j].map(is_number).any()) for j in range(len(columns))]

    def cell(value, i: int, j: int) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f'<td class="num">{escape(sheet.blank)}</td>' if numeric[j] else f"<td>{escape(sheet.blank)}</td>"
        if isinstance(value, bool):
            return f"<td>{escape(str(value))}</td>"
        if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
            number = float(value)
            shown = round(number, 2)  # 150000.0000001 is shown as 150,000, not 150,000.00
            if percent[j] is not None and percent[j][i]:
                text = f"{100 * number:.1f}%"
            elif years[j] and shown.is_integer():
                text = f"{int(shown)}"
            elif shown.is_integer():
                text = f"{int(shown):,}"
            else:
                text = f"{0.0 if abs(number) < 0.005 else number:,.2f}"
            return f'<td class="num">{text}</td>'
        return f"<td>{escape(str(value))}</td>"

    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(v, i, j) for j, v in enumerate(row)) + "</tr>"
                   for i, row in enumerate(sheet.table.itertuples(index=False)))
    return (f'<h3>{escape(sheet.name)}</h3><div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 30px; border-bottom: 1px solid #ccd; }
h3 { font-size: 15px; margin-top: 18px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figure { border: 1px solid #ccd; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.figure .k { font-size: 12px; color: #555; } .figure .v { font-size: 18px; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.chart { border: 1px solid #e3e3e3; background: #fff; }
.reading { max-width: 1100px; line-height: 1.6; }
.scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ddd; padding: 3px 6px; }
th { background: #eef3fa; } td { text-align: left; } td.num { text-align: right; }
.diagnosis { border-left: 4px solid #d62728; padding: 4px 14px; background: #fff6f6; }
.note { color: #666; font-size: 12px; }
"""

CONFIG = {"displaylogo": False, "responsive": False,
          "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"]}


def render_html(report: Report, lang: str) -> str:
    from plotly.offline import get_plotlyjs

    figures = "".join(f'<div class="figure"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
                      for k, v in report.key_figures)
    notes = "".join(f"<h3>{escape(head)}</h3><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
                    for head, lines in report.notes)
    notes = f'<div class="diagnosis" id="diagnosis">{notes}</div>' if notes else ""
    parts, plots = [], {}
    for section in report.sections:
        charts = "".join(f'<div class="chart" id="{escape(c.id)}"></div>' for c in section.charts)
        for chart in section.charts:
            plots[chart.id] = figure_json(chart.figure)
        tables = "".join(html_table(t) for t in section.tables)
        reading = f'<p class="reading">{escape(section.reading)}</p>' if section.reading else ""
        anchor = f' id="section-{escape(section.id)}"' if section.id else ""
        parts.append(f"<section{anchor}><h2>{escape(section.title)}</h2>{reading}"
                     f'<div class="charts">{charts}</div>{tables}</section>')
    data = json.dumps(report.chart_data, ensure_ascii=False, default=float).replace("</", "<\\/")
    plots_json = json.dumps(plots, ensure_ascii=False).replace("</", "<\\/")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{escape(report.title)}</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script></head>
<body>
<h1>{escape(report.title)}</h1>
<div class="figures">{figures}</div>
{notes}
<p class="note">{escape(phrase("chart_note", lang))}</p>
{"".join(parts)}
<p class="note">{escape(phrase("generated_by", lang))}</p>
<script type="application/json" id="chart-data">{data}</script>
<script type="application/json" id="chart-figures">{plots_json}</script>
<script>
(function () {{
  var figures = JSON.parse(document.getElementById("chart-figures").textContent);
  var config = {json.dumps(CONFIG)};
  var ids = Object.keys(figures);
  Promise.all(ids.map(function (id) {{
    var f = figures[id];
    return Plotly.newPlot(id, f.data, f.layout, config);
  }})).then(function () {{
    document.body.dataset.charts = String(ids.length);
    document.body.dataset.ready = "1";
  }});
}})();
</script>
</body></html>
"""
