"""planner report: the workbook and the HTML page agree with the run's CSVs; a real browser shows every chart."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.report.document import build_report
from planner.report.labels import parameter_label, target_id_label

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MEASURES = [
    {"id": "pv", "name": "屋顶光伏", "sector": "energy", "unit": "MW", "co2_t_per_yr": 510, "nox_t_per_yr": 0.15,
     "capex_wan_yuan": 350, "opex_wan_yuan_per_yr": 5, "lifetime_yr": 25, "potential": 100, "max_add_per_yr": 30,
     "plan_ref": "三(三)2", "lead": "市发展改革委", "source": "@estimate"},
    {"id": "rail", "name": "+公转铁", "sector": "transport", "unit": "Mtkm", "co2_t_per_yr": 35, "nox_t_per_yr": 0.25,
     "capex_wan_yuan": 100, "opex_wan_yuan_per_yr": 2, "lifetime_yr": 30, "potential": 1000,
     "plan_ref": "四(二)1", "lead": "市交委", "source": "-S12"},
    {"id": "scr", "name": "水泥超低排放", "sector": "industry", "unit": "line", "co2_t_per_yr": -750, "nox_t_per_yr": 780,
     "capex_wan_yuan": 2200, "opex_wan_yuan_per_yr": 650, "lifetime_yr": 12, "potential": 5, "integer": "true",
     "plan_ref": "四(一)4", "lead": "市工业和信息化局"},
]
TARGETS = [{"year": 2023, "pollutant": "co2", "kind": "intensity_reduction", "value": 0.02},
           {"year": 2022, "pollutant": "nox", "kind": "reduction", "value": 1500}]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    spec = write_dataset(folder / "case", MEASURES, targets=TARGETS, budget=20000, discount_rate=0.05)
    out = folder / "run"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["report", str(out)], obj={})
    assert result.exit_code == 0, result.output
    return out


def test_workbook_numbers_equal_the_csvs(run_folder):
    book = openpyxl.load_workbook(run_folder / "report.xlsx")
    assert book.sheetnames == ["摘要", "年度计划", "排放与目标", "目标达成", "分年分领域投资与运行成本", "措施目录及来源",
                               "重点工程清单", "年度任务分解", "协同度评价", "图表"]
    plan = pd.read_csv(run_folder / "plan.csv", encoding="utf-8-sig")
    sheet = book["年度计划"]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert "投资(万元)" in headers and "二氧化碳减排量(吨)" in headers
    capex_col = headers.index("投资(万元)") + 1
    values = [sheet.cell(row=i + 2, column=capex_col).value for i in range(len(plan))]
    assert all(isinstance(v, (int, float)) for v in values)
    assert values == pytest.approx(plan["capex_wan_yuan"].tolist())
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    overview = {row[0].value: row[1].value for row in book["摘要"].iter_rows(min_row=2)}
    assert overview["目标函数(总成本现值,万元)"] == pytest.approx(summary["objective"])
    emissions = pd.read_csv(run_folder / "emissions.csv", encoding="utf-8-sig")
    sheet = book["排放与目标"]
    headers = [c.value for c in sheet[1]]
    col = headers.index("排放量(吨)") + 1
    assert [sheet.cell(row=i + 2, column=col).value for i in range(len(emissions))] == pytest.approx(
        emissions["emissions_t"].tolist())


def test_co_control_in_workbook_and_page(run_folder):
    """协同度评价: the workbook sheet holds co_control.csv's numbers; the page shows the portfolio's Els."""
    table = pd.read_csv(run_folder / "co_control.csv", encoding="utf-8-sig")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(run_folder / "report.xlsx")["协同度评价"].iter_rows()]
    header = rows[0]
    els = [row[header.index("协同控制弹性系数")] for row in rows[1:]]
    assert els == pytest.approx([None if pd.isna(v) else v for v in table["elasticity"]], nan_ok=True)
    assert {row[header.index("象限")] for row in rows[1:]} <= {"协同减排", "仅降碳", "仅减污", "此消彼长"}
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    nox = table[(table.scope == "portfolio") & (table.pollutant == "nox")].iloc[-1]
    assert f"氮氧化物 Els = {nox.elasticity:.2f}" in html


def test_key_projects_and_tasks(run_folder):
    book = openpyxl.load_workbook(run_folder / "report.xlsx")
    projects = [[c.value for c in row] for row in book["重点工程清单"].iter_rows()]
    header = projects[0]
    assert {"方案条款", "牵头部门", "新增数量(单位)", "投资(万元)"} <= set(header)
    plan = pd.read_csv(run_folder / "plan.csv", encoding="utf-8-sig")
    chosen = set(plan.loc[plan.added > 0, "measure"])
    assert {row[header.index("措施代码")] for row in projects[1:]} == chosen
    tasks = [[c.value for c in row] for row in book["年度任务分解"].iter_rows()]
    assert len(tasks) - 1 == int((plan.added > 0).sum())


def test_text_that_looks_like_a_formula_stays_text(run_folder):
    book = openpyxl.load_workbook(run_folder / "report.xlsx")
    cells = [c for row in book["措施目录及来源"].iter_rows() for c in row]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {"@estimate", "+公转铁", "-S12"}
    assert all(c.data_type == "s" for c in risky)


def test_html_chart_data_equals_the_csvs(run_folder):
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    for chart in ("chart-emissions-co2", "chart-emissions-nox", "chart-intensity", "chart-investment", "chart-mac",
                  "chart-cocontrol", "chart-elasticity"):
        assert f'id="{chart}"' in html
    # One self-contained file: plotly.js is inside the page, nothing is fetched from elsewhere.
    assert "Plotly.newPlot" in html and len(html) > 1_000_000
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)
    data = json.loads(html.split('<script type="application/json" id="chart-data">')[1].split("</script>")[0])
    emissions = pd.read_csv(run_folder / "emissions.csv", encoding="utf-8-sig")
    co2 = emissions[emissions.pollutant == "co2"].sort_values("year")
    assert data["chart-emissions-co2"]["emissions_t"] == pytest.approx(co2.emissions_t.tolist())
    assert data["chart-intensity"]["intensity_t_per_yi_yuan"] == pytest.approx(co2.intensity_t_per_yi_yuan.tolist())
    plan = pd.read_csv(run_folder / "plan.csv", encoding="utf-8-sig")
    by_sector = data["chart-investment"]["capex_wan_yuan_by_sector"]
    assert sum(map(sum, by_sector.values())) == pytest.approx(plan.capex_wan_yuan.sum())
    catalogue = pd.read_csv(run_folder / "cost_effectiveness.csv", encoding="utf-8-sig").set_index("measure")
    for measure, cost in zip(data["chart-mac"]["measure"], data["chart-mac"]["co2_yuan_per_t"]):
        assert cost == pytest.approx(catalogue.loc[measure, "co2_yuan_per_t"])


def test_english_report(run_folder, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_folder, copy)
    assert CliRunner().invoke(main, ["report", str(copy), "--lang", "en"], obj={}).exit_code == 0
    assert openpyxl.load_workbook(copy / "report.xlsx").sheetnames[0] == "Summary"
    assert "CO2 marginal abatement cost curve" in (copy / "report.html").read_text(encoding="utf-8")


def test_sweep_report(tmp_path):
    spec = write_dataset(tmp_path / "case", MEASURES, targets=TARGETS, budget=20000)
    out = tmp_path / "sweep"
    assert CliRunner().invoke(main, ["sweep", str(spec), "--budget", "500:20500:10000", "--out", str(out)],
                              obj={}).exit_code == 0
    report = build_report(out, "en")
    assert [c for c, _ in report.charts] == ["chart-sweep-cost", "chart-sweep-shortfall"]
    assert CliRunner().invoke(main, ["report", str(out)], obj={}).exit_code == 0
    assert (out / "report.xlsx").is_file()


def test_report_rejects_other_folders(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)], obj={})
    assert result.exit_code == 3 and "summary.json" in result.output


@pytest.fixture(scope="module")
def report_kinds(run_folder, tmp_path_factory):
    """One folder of each report kind beside the run: English run, infeasible run, sweep, comparison."""
    root = tmp_path_factory.mktemp("kinds")
    spec = write_dataset(root / "case", MEASURES, targets=TARGETS, budget=20000, discount_rate=0.05)
    english = root / "run-en"
    shutil.copytree(run_folder, english)
    infeasible, sweep, comparison = root / "infeasible", root / "sweep", root / "comparison"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(spec), "--budget", "1", "--out", str(infeasible)], obj={}).exit_code == 4
    assert runner.invoke(main, ["sweep", str(spec), "--budget", "500:20500:5000", "--out", str(sweep)],
                         obj={}).exit_code == 0
    assert runner.invoke(main, ["compare", str(run_folder), str(infeasible), "--out", str(comparison)],
                         obj={}).exit_code == 0
    (root / "case" / "inputs" / "uncertainty.csv").write_text(
        "applies_to,quantity,distribution,low,mode,high,group,reason\n"
        "pv,co2,uniform,0.8,,1.1,,test range\n*,capex,triangular,0.9,1.0,1.2,,test range\n", encoding="utf-8")
    analyses = {"uncertainty": ["uncertainty", str(spec), "--samples", "8"],
                "alternatives": ["alternatives", str(spec), "--count", "2"],
                "sensitivity": ["sensitivity", str(spec)],
                "robust": ["robust", str(spec), "--samples", "6", "--check-samples", "6"]}
    kinds = {"run": (run_folder, "zh"), "run-en": (english, "en"), "infeasible": (infeasible, "zh"),
             "sweep": (sweep, "zh"), "comparison": (comparison, "en")}
    for kind, args in analyses.items():
        result = runner.invoke(main, [*args, "--out", str(root / kind)], obj={})
        assert result.exit_code == 0, result.output
        kinds[kind] = (root / kind, "zh" if kind != "sensitivity" else "en")
    for folder, lang in kinds.values():
        result = runner.invoke(main, ["report", str(folder), "--lang", lang], obj={})
        assert result.exit_code == 0, result.output
    return kinds


def test_every_analysis_has_its_report_with_readings(report_kinds):
    """Each section of each report kind opens with a paragraph made from its numbers."""
    from planner.report.document import build_report

    for kind, (folder, lang) in report_kinds.items():
        report = build_report(folder, lang)
        assert report.sections, kind
        for section in report.sections:
            assert len(section.reading) > 15, (kind, section.title)
    unc = build_report(report_kinds["uncertainty"][0], "zh")
    summary = json.loads((report_kinds["uncertainty"][0] / "summary.json").read_text(encoding="utf-8"))
    assert f"{100 * summary['p_all_met_reoptimised']:.0f}%" in unc.sections[0].reading
    tornado = pd.read_csv(report_kinds["sensitivity"][0] / "tornado.csv", encoding="utf-8-sig")
    top = tornado.sort_values("swing_wan_yuan", ascending=False).iloc[0]
    names = json.loads((report_kinds["sensitivity"][0] / "summary.json").read_text(encoding="utf-8"))["names"]
    # the reading names the figure by what it varies (abatement: 水泥超低排放), not by its id
    assert parameter_label(top.parameter, "en", names) in build_report(report_kinds["sensitivity"][0],
                                                                       "en").sections[0].reading
    robust = pd.read_csv(report_kinds["robust"][0] / "robust.csv", encoding="utf-8-sig").iloc[0]
    reading = build_report(report_kinds["robust"][0], "zh").sections[0].reading
    assert f"多 {robust.premium_wan_yuan:,.0f} 万元" in reading and f"{100 * robust.p_met_robust:.0f}%" in reading


def _cells(book, ref: str) -> list:
    """The values of the cells a chart series points at (``'图表'!$B$3:$B$9``)."""
    sheet, _, cells = ref.rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    rows = book[sheet][cells.replace("$", "")]
    rows = rows if isinstance(rows, tuple) else ((rows,),)
    return [cell.value for row in rows for cell in (row if isinstance(row, tuple) else (row,))]


def excel_charts(path: Path) -> list[dict]:
    """Each native chart of a report.xlsx: its type, title and, per series, the name and the cell
    values behind its categories (or x) and values (or y)."""
    book = openpyxl.load_workbook(path)
    out = []
    for ws in book.worksheets:
        for chart in ws._charts:
            title = "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
            series = []
            for s in chart.series:
                values = s.val or s.yVal
                cats = s.cat or s.xVal
                ref = values.numRef.f
                assert ref.split("!")[0].strip("'") == ws.title, ref  # the chart draws its own sheet's cells
                cat_ref = (cats.numRef or cats.strRef).f
                series.append({"name": _cells(book, s.tx.strRef.f)[0], "values": _cells(book, ref),
                               "categories": _cells(book, cat_ref), "ref": ref})
            out.append({"type": type(chart).__name__, "title": title, "series": series,
                        "grouping": getattr(chart, "grouping", None), "bar_dir": getattr(chart, "barDir", None),
                        "y_format": chart.y_axis.numFmt.formatCode if chart.y_axis.numFmt else None,
                        "x_format": chart.x_axis.numFmt.formatCode if chart.x_axis.numFmt else None})
    return out


def test_native_excel_charts(report_kinds):
    """report.xlsx carries native charts (emissions vs BAU and targets, investment, MAC, co-control
    elasticity) on its chart sheet, each series over numbers in its own cells."""
    folder, _ = report_kinds["run"]
    charts = excel_charts(folder / "report.xlsx")
    kinds = sorted(c["type"] for c in charts)
    # emissions of co2 and nox (line), investment by sector (stacked bars), MAC curve (scatter steps),
    # the portfolio's cross-elasticity per pollutant (clustered bars)
    assert kinds == ["BarChart", "BarChart", "LineChart", "LineChart", "ScatterChart"]
    assert {c["grouping"] for c in charts if c["type"] == "BarChart"} == {"stacked", "clustered"}
    for chart in charts:
        for series in chart["series"]:
            assert all(v is None or isinstance(v, (int, float)) for v in series["values"]), chart["title"]
    co_control = pd.read_csv(folder / "co_control.csv", encoding="utf-8-sig")
    portfolio = co_control[(co_control.scope == "portfolio") & (co_control.abated_t.abs() > 1e-9)]
    elasticity = next(c for c in charts if c["grouping"] == "clustered")
    for series in elasticity["series"]:
        expected = portfolio[portfolio.year == int(series["name"])]["elasticity"].tolist()
        assert series["values"] == pytest.approx(expected)


def test_native_excel_charts_of_every_analysis(report_kinds):
    """Sweep, comparison, uncertainty (P(met) per target, cost distribution), robust, alternatives
    (cost against distance) and sensitivity (tornado): native charts over the numbers of the
    folder's own CSVs, P(met) axes and cells as percentages."""
    def charts(kind):
        return {c["title"]: c for c in excel_charts(report_kinds[kind][0] / "report.xlsx")}

    sweep = pd.read_csv(report_kinds["sweep"][0] / "sweep.csv", encoding="utf-8-sig").sort_values("budget_wan_yuan")
    cost = charts("sweep")["预算与成本"]["series"][0]
    assert cost["categories"] == pytest.approx(sweep.budget_wan_yuan.tolist())
    assert cost["values"] == pytest.approx(sweep.cost_wan_yuan.tolist())

    comparison = charts("comparison")
    bars = comparison["Cost and investment by run"]
    assert bars["type"] == "BarChart" and len(bars["series"]) == 2
    assert bars["series"][0]["categories"][0] == "Objective (present value of cost)"
    run = json.loads((report_kinds["run"][0] / "summary.json").read_text(encoding="utf-8"))
    assert bars["series"][0]["values"][0] == pytest.approx(run["objective"])
    assert bars["series"][1]["values"] == [None, None, None]  # the infeasible run has no cost
    table = pd.read_csv(report_kinds["comparison"][0] / "comparison.csv", encoding="utf-8-sig").set_index("metric")
    capex_rows = [m for m in table.index if m == "total capex" or (m.startswith("capex ") and m[6:].isdigit())]
    assert capex_rows and table.loc[capex_rows, "infeasible"].isna().all()  # no plan, so no investment (not 0)
    assert float(table.loc["total capex", "run"]) == pytest.approx(run["totals"]["capex_wan_yuan"])
    assert "Investment by year and run (dashed: budget)" in comparison

    unc_folder = report_kinds["uncertainty"][0]
    targets = pd.read_csv(unc_folder / "targets.csv", encoding="utf-8-sig")
    unc = charts("uncertainty")
    p_met = unc["各目标达标概率"]
    assert p_met["type"] == "BarChart" and p_met["y_format"] == "0%"
    names = json.loads((unc_folder / "summary.json").read_text(encoding="utf-8"))["names"]
    assert p_met["series"][0]["categories"] == [target_id_label(t, "zh", names) for t in targets.target]
    assert p_met["series"][0]["values"] == pytest.approx(targets.p_met_fixed_plan.tolist())
    assert p_met["series"][1]["values"] == pytest.approx(targets.p_met_reoptimised.tolist())
    samples = pd.read_csv(unc_folder / "samples.csv", encoding="utf-8-sig")
    histogram = unc["成本分布(万元)"]
    assert sum(histogram["series"][0]["values"]) == samples.cost_reoptimised_wan_yuan.notna().sum()
    assert sum(histogram["series"][1]["values"]) == samples.cost_fixed_plan_wan_yuan.notna().sum()
    book = openpyxl.load_workbook(unc_folder / "report.xlsx")
    ref = p_met["series"][0]["ref"].split("!")[1].replace("$", "").split(":")[0]
    assert book[p_met["series"][0]["ref"].split("!")[0].strip("'")][ref].number_format == "0.0%"

    robust = pd.read_csv(report_kinds["robust"][0] / "robust.csv", encoding="utf-8-sig").iloc[0]
    chart = charts("robust")["新抽样下的达标概率"]
    assert chart["series"][0]["values"] == pytest.approx([robust.p_met_robust, robust.p_met_central])
    assert chart["series"][0]["categories"] == ["稳健方案", "中心方案"] and chart["y_format"] == "0%"

    alternatives = pd.read_csv(report_kinds["alternatives"][0] / "summary.csv", encoding="utf-8-sig")
    chart = charts("alternatives")["备选方案:成本与差异"]
    assert chart["type"] == "ScatterChart" and len(chart["series"]) == 1
    assert chart["series"][0]["categories"] == pytest.approx(alternatives.distance_to_optimum.tolist())
    assert chart["series"][0]["values"] == pytest.approx(alternatives.cost_wan_yuan.tolist())

    folder = report_kinds["sensitivity"][0]
    tornado = pd.read_csv(folder / "tornado.csv", encoding="utf-8-sig").sort_values(
        "swing_wan_yuan", ascending=False, kind="stable").head(15)
    optimum = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["optimum_wan_yuan"]
    chart = charts("sensitivity")["Tornado: cost change per figure"]
    assert chart["type"] == "BarChart" and chart["bar_dir"] == "bar"
    low, high = chart["series"]
    names = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["names"]
    assert low["categories"] == [parameter_label(p, "en", names) for p in tornado.parameter]
    assert low["values"] == pytest.approx((tornado.objective_low - optimum).tolist())
    assert high["values"] == pytest.approx((tornado.objective_high - optimum).tolist())


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="chromium is missing: `make test` installs it as root with apt-get; "
                           "else: sudo apt-get install chromium fonts-wqy-zenhei")
def test_report_in_headless_chromium(report_kinds, tmp_path_factory):
    """Each report kind opens in one headless Chromium: no console error, every chart drawn by
    plotly with its data, a screenshot of each page under the pytest temp folder."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is missing: `make test` installs Debian's chromium package as root"
    shots = tmp_path_factory.mktemp("screenshots")
    expected = {"run": 7, "run-en": 7, "infeasible": 5, "sweep": 2, "comparison": 2, "uncertainty": 2,
                "alternatives": 1, "sensitivity": 1, "robust": 1}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        for kind, (folder, _) in report_kinds.items():
            page.goto((folder / "report.html").as_uri())
            page.wait_for_function("document.body.dataset.ready === '1'", timeout=20_000)
            charts = page.query_selector_all("div.chart")
            assert len(charts) == expected[kind], kind
            for chart in charts:
                box = chart.bounding_box()
                assert box and box["width"] > 300 and box["height"] > 150, (kind, chart.get_attribute("id"))
                points = chart.evaluate("el => el.data.reduce((n, t) => n + (t.x ? t.x.length : 0), 0)")
                assert points > 0, (kind, chart.get_attribute("id"))
                assert chart.query_selector("svg.main-svg"), (kind, chart.get_attribute("id"))
            page.screenshot(path=str(shots / f"{kind}.png"), full_page=True)
            assert (shots / f"{kind}.png").stat().st_size > 10_000
        browser.close()
    assert errors == []


def test_replan_report_shades_history_and_says_so(tmp_path):
    """The default model's review_2026 scenario re-plans from 2026: history years are shaded in the
    emission charts and the first reading gives what was built and what is planned."""
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "replan"
    result = CliRunner().invoke(main, ["run", str(root / "models" / "guiyang.toml"), "--scenario", "review_2026",
                                       "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    report = build_report(out, "zh")
    assert report.sections[0].reading.startswith("本方案从2026年起重新规划")
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    built = plan.loc[plan.year < 2026, "capex_wan_yuan"].sum()
    assert f"投资 {built:,.0f} 万元" in report.sections[0].reading
    # all enforced targets are met, but the history years missed some: the key figure says so
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    history = sum(1 for t in summary["targets"] if not t["enforced"] and not t["met"])
    assert history and dict(report.key_figures)["全部目标达成"] == f"是(历史年份另有{history}个目标未达成,不参与约束)"
    shapes = dict(report.charts)["chart-emissions-co2"].layout.shapes
    assert len(shapes) == 1 and shapes[0].x1 == 2025.5
