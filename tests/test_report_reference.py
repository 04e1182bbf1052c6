"""`planner report RE-PLAN --reference ADOPTED`: the adopted plan beside a mid-term re-plan."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main


def _run(args):
    return CliRunner().invoke(main, args, obj={})


def test_report_sets_the_adopted_plan_beside_the_re_plan(tmp_path):
    """One measure, 10 万元 and 1 t CO2 a year per unit, 5 t to abate by 2023, no discounting: the
    adopted plan builds the 5 units as late as it can (2023: 50 万元, and its annuity counts for
    the fewest years). Re-planned from 2022 with 2 units built in 2021 (actuals), the plan needs 3 more,
    also in 2023 (30 万元). So from 2022 on the only change is 2023: 5 units -> 3 ("fewer", -2), and the
    re-plan invests 30 万元 from 2022 against the adopted plan's 50."""
    spec = write_dataset(tmp_path / "case", [{"id": "pv", "capex_wan_yuan": 10, "co2_t_per_yr": 1, "potential": 10,
                                              "lifetime_yr": 20}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 5}])
    write_csv(tmp_path / "case" / "inputs" / "actuals.csv", [{"measure": "pv", "year": 2021, "units_added": 2}])
    adopted, replan = tmp_path / "adopted", tmp_path / "replan"
    # The adopted plan is the run without history (actuals.csv is read only with replan_from).
    assert _run(["run", str(spec), "--out", str(adopted), "-q"]).exit_code == 0
    assert _run(["run", str(spec), "--replan-from", "2022", "--out", str(replan), "-q"]).exit_code == 0
    for lang in ("en", "zh"):
        result = _run(["report", str(replan), "--reference", str(adopted), "--lang", lang])
        assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(replan / "report.xlsx")  # the zh report, written last
    changes = [[c.value for c in row] for row in book["对照方案-措施变化"].iter_rows()]
    assert changes[0] == ["措施", "措施名称", "年份", "已采纳方案新增单位", "重新规划新增单位", "差值", "变化"]
    # the measure by id and by its name in the measures file (helpers' default name 措施)
    assert changes[1:] == [["pv", "措施", 2023, 5, 3, -2, "减少"]]
    years = {row[0]: row[1:] for row in book["对照方案-逐年"].iter_rows(min_row=2, values_only=True)}
    assert years[2021][2:] == (0, 20) and years[2023][2:] == (50, 30)  # capex adopted, re-plan
    assert years[2023][:2] == (10000 - 5, 10000 - 5)  # both plans meet the 5 t exactly
    html = (replan / "report.html").read_text(encoding="utf-8")
    assert "2022年起重新规划的方案投资 30 万元(原方案 50 万元,相差 -20 万元)" in html
    assert "2023年二氧化碳排放 9,995 吨(原方案 9,995 吨)" in html and "CO2 排放" not in html  # zh words and units
    assert len(book["图表"]._charts) >= 1


def test_reference_of_a_sweep_is_a_clear_error(tmp_path):
    spec = write_dataset(tmp_path / "case", [{"id": "pv", "capex_wan_yuan": 10, "co2_t_per_yr": 1, "potential": 10}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 5}])
    assert _run(["run", str(spec), "--out", str(tmp_path / "a"), "-q"]).exit_code == 0
    assert _run(["sweep", str(spec), "--budget", "50:100:50", "--out", str(tmp_path / "s")]).exit_code == 0
    result = _run(["report", str(tmp_path / "s"), "--reference", str(tmp_path / "a")])
    assert result.exit_code == 3 and "--reference sets the adopted plan beside a re-planned run" in result.output
