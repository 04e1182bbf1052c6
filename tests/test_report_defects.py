"""Report defects a reviewer saw at once (issue 16): each pinned by a check on the written files."""

from __future__ import annotations

import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.io.writer import csv_bytes

MEASURES = [
    {"id": "pv", "name": "屋顶光伏", "sector": "energy", "unit": "MW", "co2_t_per_yr": 500, "nox_t_per_yr": 0.1,
     "capex_wan_yuan": 100, "opex_wan_yuan_per_yr": 1, "lifetime_yr": 20, "potential": 10, "tags": "nonfossil"},
    {"id": "scr", "name": "脱硝改造", "sector": "industry", "unit": "line", "nox_t_per_yr": 50,
     "capex_wan_yuan": 200, "opex_wan_yuan_per_yr": 5, "lifetime_yr": 10, "potential": 4},
]
TARGETS = [{"year": 2023, "pollutant": "co2", "kind": "intensity_reduction", "value": 0.05},
           {"year": 2023, "pollutant": "nox", "kind": "reduction", "value": 100}]
DEPLOYMENT = [{"year": 2023, "tag": "nonfossil", "min_units": 2}]


def _run(args):
    return CliRunner().invoke(main, args, obj={})


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A feasible run, an infeasible one (budget 10 万元/yr) and their comparison, reported in zh."""
    root = tmp_path_factory.mktemp("defects")
    spec = write_dataset(root / "case", MEASURES, targets=TARGETS, deployment=DEPLOYMENT, budget=5000)
    ok, bad, cmp = root / "ok", root / "bad", root / "cmp"
    assert _run(["run", str(spec), "--out", str(ok)]).exit_code == 0
    assert _run(["run", str(spec), "--budget", "10", "--out", str(bad)]).exit_code == 4
    assert _run(["compare", str(ok), str(bad), "--out", str(cmp)]).exit_code == 0
    for folder in (ok, bad, cmp):
        result = _run(["report", str(folder)])
        assert result.exit_code == 0, result.output
    return ok, bad, cmp


def _cells(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_comparison_workbook_numbers_are_numbers_with_chinese_metrics(folders):
    ok, bad, cmp = folders
    rows = {row[0]: row for row in _cells(openpyxl.load_workbook(cmp / "report.xlsx")["方案比较"])}
    assert rows["指标"][:2] == ["指标", "单位"]
    summary = json.loads((ok / "summary.json").read_text(encoding="utf-8"))
    objective = rows["目标函数(总成本现值)"]
    assert isinstance(objective[2], float) and objective[2] == pytest.approx(summary["objective"])
    assert objective[3] is None  # the infeasible run has no objective: a blank cell, not "None"
    assert rows["求解状态"][2:] == ["最优 (optimal)", "不可行 (infeasible)"]
    assert rows["2023年预算"][2:] == [5000, 10]
    assert rows["2023年投资"][1] == "万元"
    assert "2023年氮氧化物减排量" in rows
    assert not any(isinstance(v, str) and v.replace(".", "").replace("-", "").isdigit()
                   for row in rows.values() for v in row)
    html = re.sub(r"<script.*?</script>", "", (cmp / "report.html").read_text(encoding="utf-8"), flags=re.S)
    assert "None" not in html and "objective" not in html
    assert f"{summary['objective']:,.2f}" in html


def test_percent_format_and_summary_items_in_both_languages(folders, tmp_path):
    ok = folders[0]
    for lang, sheet_name, header, summary_name in (("zh", "排放与目标", "强度较基年变化", "摘要"),
                                                   ("en", "Emissions and targets", "Intensity change vs base year",
                                                    "Summary")):
        assert _run(["report", str(ok), "--lang", lang]).exit_code == 0
        book = openpyxl.load_workbook(ok / "report.xlsx")
        sheet = book[sheet_name]
        col = [c.value for c in sheet[1]].index(header) + 1
        cells = [sheet.cell(row=r, column=col) for r in range(2, sheet.max_row + 1)]
        assert all(c.number_format == "0.0%" for c in cells)
        assert any(isinstance(c.value, float) and -0.2 < c.value < -0.01 for c in cells)  # -5 % shows as -5.0%
        items = {row[0] for row in _cells(book[summary_name])}
        if lang == "zh":
            assert {"规划期", "贴现率", "年度预算(万元)", "总预算(万元)"} <= items
        else:
            assert {"Horizon", "Discount rate", "Yearly budget (万元)", "Total budget (万元)"} <= items
    assert _run(["report", str(ok)]).exit_code == 0


def test_chinese_report_has_no_english_codes_and_names_tags(folders):
    ok = folders[0]
    book = openpyxl.load_workbook(ok / "report.xlsx")
    values = {v for sheet in book for row in _cells(sheet) for v in row if isinstance(v, str)}
    assert not values & {"True", "False", "LP duals"}
    targets = _cells(book["目标达成"])
    subjects = [row[targets[0].index("对象")] for row in targets[1:]]
    assert "nonfossil (屋顶光伏)" in subjects
    html = (ok / "report.html").read_text(encoding="utf-8")
    assert '<td class="num">' in html and "<td>屋顶光伏</td>" in html
    assert " 元/单位</td>" in html  # the deployment target's shadow price is shown, with its unit


def test_infeasible_report_shows_the_diagnosis_and_no_plan_line(folders):
    bad = folders[1]
    html = (bad / "report.html").read_text(encoding="utf-8")
    assert 'id="diagnosis"' in html and "不可行的原因" in html and "如何解决" in html
    assert "提高各年预算" in html
    data = json.loads(html.split('<script type="application/json" id="chart-data">')[1].split("</script>")[0])
    assert data["chart-emissions-co2"]["emissions_t"] is None
    assert data["chart-emissions-co2"]["bau_t"]


def test_result_csvs_carry_no_negative_zero_or_round_off(folders):
    for name in ("plan.csv", "emissions.csv", "targets.csv"):
        text = (folders[0] / name).read_text(encoding="utf-8-sig")
        assert ",-0.0," not in text and "e-1" not in text, name
    frame = pd.DataFrame({"x": [-0.0, 4.547e-13, -3e-12, np.nan, 1e-6], "t": ["a", "b", "c", "d", "e"]})
    assert csv_bytes(frame).decode("utf-8-sig").split("\n")[1:6] == ["0.0,a", "0.0,b", "0.0,c", ",d", "1e-06,e"]
