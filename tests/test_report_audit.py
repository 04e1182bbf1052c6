"""Report defects seen in the visual audit of every report kind (issue 16), each pinned by the
rendered page's text, the chart data or the workbook's cells.

One small v2 data set (pools of very different sizes, two areas, an indicator target, a CO2 peak)
is run feasible, infeasible, swept and put through sensitivity.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.io.schema import POLLUTANTS
from planner.report.document import build_report


def v2_case(folder: Path, budget: float) -> Path:
    """pv takes the 20 MW roof pool in 清镇, taxi the 5,000-vehicle fleet pool in 开阳, eff saves
    energy_tce (能源消费量, tce over industry value added); CO2 may not grow after 2022."""
    baseline = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS},
                 "co2_t": 10000 + 500 * (y - 2020), "energy_tce": 1000, "industry_va_yi_yuan": 50, "coal_kt": 800}
                for y in range(2020, 2024)]
    spec = write_dataset(folder, [
        {"id": "pv", "name": "屋顶光伏", "sector": "energy", "co2_t_per_yr": 100, "nox_t_per_yr": 0.1,
         "pool": "roof", "area": "qz", "potential": 50},
        {"id": "taxi", "name": "电动出租车", "sector": "transport", "capex_wan_yuan": 2, "co2_t_per_yr": 5,
         "nox_t_per_yr": 0.01, "pool": "fleet", "potential": 2000, "area": "ky"},
        {"id": "eff", "name": "工业节能", "sector": "industry", "capex_wan_yuan": 20, "energy_tce_per_yr": 20,
         "co2_t_per_yr": 30, "potential": 10},
    ], baseline=baseline, budget=budget)
    write_csv(folder / "inputs" / "targets.csv", [
        {"year": 2022, "pollutant": "co2", "kind": "non_increasing", "value": 0},
        {"year": 2023, "pollutant": "energy_tce", "kind": "intensity_reduction", "value": 0.1},
        {"year": 2023, "pollutant": "nox", "kind": "reduction", "value": 2}])
    write_csv(folder / "inputs" / "indicators.csv", [
        {"indicator": "energy_tce", "name": "能源消费量", "unit": "tce", "denominator": "industry_va_yi_yuan"},
        {"indicator": "coal_kt", "name": "煤炭消费量", "unit": "kt", "denominator": ""}])
    write_csv(folder / "inputs" / "areas.csv", [{"area": "qz", "name": "清镇"}, {"area": "ky", "name": "开阳"}])
    write_csv(folder / "inputs" / "pools.csv", [
        {"pool": "roof", "unit": "MW", "capacity": 20, "year": ""},
        {"pool": "fleet", "unit": "vehicle", "capacity": 5000, "year": ""}])
    return spec


def _invoke(args):
    result = CliRunner().invoke(main, args, obj={})
    return result


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    spec = v2_case(root / "case", 500)
    (root / "case" / "inputs" / "uncertainty.csv").write_text(
        "applies_to,quantity,distribution,low,mode,high,group,reason\n"
        "eff,energy_tce,uniform,0.8,,1.1,,test range\n", encoding="utf-8")
    out = {}
    for name, args, code in (("ok", ["run", str(spec)], 0), ("bad", ["run", str(spec), "--budget", "5"], 4),
                             ("sweep", ["sweep", str(spec), "--budget", "100:500:400"], 0),
                             ("sensitivity", ["sensitivity", str(spec)], 0),
                             ("uncertainty", ["uncertainty", str(spec), "--samples", "6"], 0)):
        result = _invoke([*args, "--out", str(root / name)])
        assert result.exit_code == code, result.output
        out[name] = root / name
    result = _invoke(["compare", str(out["ok"]), str(out["bad"]), "--out", str(root / "comparison")])
    assert result.exit_code == 0, result.output
    out["comparison"] = root / "comparison"
    return out


def _page_text(folder: Path) -> str:
    """The page without its scripts (plotly and the chart JSON), as a reader sees its text."""
    html = (folder / "report.html").read_text(encoding="utf-8")
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def _figure(folder: Path, chart: str) -> dict:
    html = (folder / "report.html").read_text(encoding="utf-8")
    figures = json.loads(html.split('<script type="application/json" id="chart-figures">')[1].split("</script>")[0])
    return figures[chart]


def _report(folder: Path, lang: str) -> None:
    result = _invoke(["report", str(folder), "--lang", lang])
    assert result.exit_code == 0, result.output


def test_targets_table_names_kinds_indicators_and_prices(folders):
    """zh: the peak kind and the indicator by name, 元/吨 and 元/tce (an indicator row's price was
    blank: it is per tce, not per t); en: kinds and pollutants in words, not codes."""
    ok = folders["ok"]
    targets = pd.read_csv(ok / "targets.csv", encoding="utf-8-sig").set_index("subject")
    _report(ok, "zh")
    text = _page_text(ok)
    assert "<td>达峰(不高于上年)</td>" in text and "non_increasing" not in text
    assert "<td>能源消费量</td>" in text and "<td>energy_tce</td>" not in text.split('id="section-targets"')[1]
    price = targets.loc["energy_tce", "shadow_price_yuan_per_unit"]
    assert f"{price:,.2f} 元/tce" in text
    assert " 元/吨</td>" in text and " 元/t</td>" not in text
    _report(ok, "en")
    section = _page_text(ok).split('id="section-targets"')[1].split("</section>")[0]
    assert "<td>peak (not above the year before)</td>" in section and "<td>NOx</td>" in section
    assert "<td>non_increasing</td>" not in section and "<td>nox</td>" not in section
    book = openpyxl.load_workbook(ok / "report.xlsx")
    kinds = {row[1].value for row in book["Targets"].iter_rows(min_row=2)}
    assert "peak (not above the year before)" in kinds


def test_pools_drawn_as_share_of_capacity_and_areas_by_name(folders):
    """A 20 MW pool and a 5,000-vehicle pool on one axis in pool units drew the small one flat at 0:
    each is drawn as used / capacity. The co-control table names areas (清镇), not their ids."""
    ok = folders["ok"]
    _report(ok, "zh")
    pools = pd.read_csv(ok / "pools.csv", encoding="utf-8-sig")
    figure = _figure(ok, "chart-pools")
    for trace in figure["data"]:
        rows = pools[pools["pool"] == trace["name"]]
        assert trace["y"] == pytest.approx((rows["used"] / rows["capacity"]).tolist())
    assert figure["layout"]["yaxis"]["tickformat"] == ".0%"
    roof = pools[pools["pool"] == "roof"]
    assert (roof["used"] / roof["capacity"]).max() > 0.5  # the small pool is not flat
    section = _page_text(ok).split('id="section-cocontrol"')[1].split("</section>")[0]
    assert "<td>清镇</td>" in section and "<td>qz</td>" not in section
    book = openpyxl.load_workbook(ok / "report.xlsx")
    areas = {row[4].value for row in book["协同度评价"].iter_rows(min_row=2)}
    assert "清镇" in areas and "qz" not in areas


def test_infeasible_report_shows_no_empty_plan_and_chinese_diagnosis(folders):
    """No plan: key figures and achieved cells are —, not the 0 of an empty plan, and the pool, area
    and indicator sections (all zeros or BAU) are left out; the diagnosis names the peak and the
    indicator target in Chinese, the indicator's shortfall in tce."""
    bad = folders["bad"]
    summary = json.loads((bad / "summary.json").read_text(encoding="utf-8"))
    indicator = next(s for s in summary["diagnosis"]["least_shortfalls"] if "energy_tce" in s["target"])
    assert indicator["unit"] == "tce abated"
    _report(bad, "zh")
    text = _page_text(bad)
    figures = dict(re.findall(r'<div class="k">(.*?)</div><div class="v">(.*?)</div>', text))
    assert figures["总投资(万元)"] == "—" and figures["入选措施数"] == "—" and figures["目标函数(总成本现值,万元)"] == "—"
    for section in ("pools", "areas", "indicators"):
        assert f'id="section-{section}"' not in text
    assert "2023年二氧化碳达峰(较2022年增长不超过0%) (targets.csv 第2行)" in text
    assert "2023年能源消费量强度下降10% (targets.csv 第3行)" in text and "tce减排量" in text
    assert "peak (at most" not in text and "energy_tce intensity" not in text
    targets = text.split('id="section-targets"')[1].split("</section>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", targets.split("<tbody>")[1])
    achieved = [re.findall(r"<td[^>]*>(.*?)</td>", row)[5] for row in rows]  # year, kind, subject, value, required, achieved
    assert achieved == ["—"] * len(rows)


def test_sweep_table_labels_and_whole_count_ticks(folders):
    """sweep.csv's budget is the yearly budget (was labelled 区域预算, the areas.csv column); statuses
    in Chinese; shortfall columns named by pollutant and indicator with their units; the
    targets-missed axis ticks whole numbers."""
    sweep = folders["sweep"]
    _report(sweep, "zh")
    header = [c.value for c in openpyxl.load_workbook(sweep / "report.xlsx")["预算情景扫描"][1]]
    assert header[:2] == ["年度预算(万元)", "求解状态"]
    assert "二氧化碳 2023年缺口(吨)" in header and "能源消费量 2023年缺口(tce)" in header
    text = _page_text(sweep)
    assert "<td>最优 (optimal)</td>" in text and "<td>optimal</td>" not in text
    assert _figure(sweep, "chart-sweep-shortfall")["layout"]["yaxis"]["dtick"] == 1


@pytest.mark.parametrize("lang, capex_pv, growth", [("zh", "投资：屋顶光伏", "基准情景增速：能源消费量"),
                                                     ("en", "capex: 屋顶光伏", "BAU growth: 能源消费量")])
def test_tornado_names_the_figures(folders, tmp_path, lang, capex_pv, growth):
    """The tornado (chart, tables, native chart) labels each figure by the measure's or indicator's
    name; tornado.csv keeps its parameter ids."""
    folder = tmp_path / "sensitivity"
    import shutil

    shutil.copytree(folders["sensitivity"], folder)
    tornado = pd.read_csv(folder / "tornado.csv", encoding="utf-8-sig")
    assert "capex:pv" in set(tornado["parameter"]) and "growth:bau:energy_tce" in set(tornado["parameter"])
    _report(folder, lang)
    labels = _figure(folder, "chart-tornado")["data"][0]["y"]
    assert capex_pv in labels and growth in labels and "capex:pv" not in labels
    report = build_report(folder, lang)
    assert any(capex_pv in t.table.to_string() for t in report.sections[0].tables)
    book = openpyxl.load_workbook(folder / "report.xlsx")
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert capex_pv in cells and "电动出租车" in cells  # the native chart's categories; the unchosen measure by name


def test_comparison_shows_no_empty_plan_and_names_measures(folders):
    """An infeasible run has no plan: no measures, abatement or emissions in comparison.csv (they were
    0 and BAU), no "dropped" rows for every measure; the changes name the measures; empty cells of
    number columns sit with the numbers."""
    cmp = folders["comparison"]
    table = pd.read_csv(cmp / "comparison.csv", encoding="utf-8-sig").set_index("metric")
    rows = ["measures chosen", "CO2 abated 2023", "CO2 emissions 2023", "NOx abated 2023"]
    assert table.loc[rows, "bad"].isna().all() and table.loc[rows, "ok"].notna().all()
    changes = pd.read_csv(cmp / "measure_changes.csv", encoding="utf-8-sig")
    assert list(changes.columns) == ["run", "change", "measure", "name"] and changes.empty
    _report(cmp, "zh")
    text = _page_text(cmp)
    assert '<td class="num">—</td>' in text and "<td>—</td>" not in text
    rows = {row[0]: row for row in openpyxl.load_workbook(cmp / "report.xlsx")["方案比较"].iter_rows(values_only=True)}
    assert rows["总预算"][2:] == ("不限", "不限")  # no total budget: no limit, not a blank


def test_summary_sheet_budget_is_a_number(folders):
    """The summary sheet's yearly budget was the text '500'; it is the number 500."""
    ok = folders["ok"]
    _report(ok, "zh")
    items = {row[0]: row[1] for row in openpyxl.load_workbook(ok / "report.xlsx")["摘要"].iter_rows(values_only=True)}
    assert items["年度预算(万元)"] == 500 and isinstance(items["年度预算(万元)"], (int, float))


def test_uncertainty_names_targets_and_shows_percent_and_units(folders):
    """Targets in words on the P(met) chart (ids ran into each other and the legend), the intensity
    target's value as a percentage (was 0.1), the indicator's shortfall in tce (was t), axes in zh."""
    folder = folders["uncertainty"]
    targets = pd.read_csv(folder / "targets.csv", encoding="utf-8-sig").set_index("target")
    assert targets.loc["energy_tce_intensity_reduction_2023", "shortfall_unit"] == "tce"
    assert targets.loc["nox_reduction_2023", "shortfall_unit"] == "t"
    _report(folder, "zh")
    figure = _figure(folder, "chart-p-met")
    assert figure["data"][0]["y"] == ["2023年二氧化碳达峰(不高于上年)", "2023年能源消费量强度下降",
                                      "2023年氮氧化物重点工程减排量"]
    assert figure["data"][0]["orientation"] == "h" and figure["layout"]["xaxis"]["title"]["text"] == "达标概率"
    section = _page_text(folder).split('id="section-uncertainty"')[1]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", section) if "energy_tce_intensity_reduction_2023" in r)
    assert '<td class="num">10.0%</td>' in row and "<td>tce</td>" in row
    assert "最脆弱的目标是 20" in section  # the reading names the weakest target in words


def test_indicator_denominator_by_label_and_no_round_off_decimals(folders):
    """The indicators table named GDP by its column id (gdp_yi_yuan); a number within round-off of a
    whole one (150000.0000001) was shown as 150,000.00 beside 150,000."""
    from planner.report.content import Sheet
    from planner.report.html import html_table

    ok = folders["ok"]
    _report(ok, "zh")
    section = _page_text(ok).split('id="section-indicators"')[1].split("</section>")[0]
    assert "<td>GDP(亿元)</td>" in section and "<td>gdp_yi_yuan</td>" not in section
    html = html_table(Sheet("t", pd.DataFrame({"x": [150000.0000001, 2.345, 72750.0]})))
    assert ">150,000<" in html and ">2.35<" in html and ">72,750<" in html
