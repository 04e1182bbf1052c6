"""Issue 10, items 4-8: CSVs as Excel and WPS on Chinese Windows save them are read as meant, and
every message carries the file's own line number.

Each test edits a copy of the tiny model (optimum 9.0 万元, worked by hand in inputs/tiny/README.md)
the way a planner's spreadsheet would save it, and checks the message and that the numbers were
read as meant: the same optimum, 9.0 万元, where the edit does not change a value.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

TINY_OPTIMUM_WAN_YUAN = 9.0
MEASURES = ("id,name,sector,unit,capex_wan_yuan,opex_wan_yuan_per_yr,lifetime_yr,potential,co2_t_per_yr,source\n"
            "cheap,便宜措施,energy,unit,10,0,10,5,100,toy numbers\n"
            "dear,昂贵措施,industry,unit,30,1,10,10,200,toy numbers\n")


def cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


@pytest.fixture
def city(tmp_path) -> Path:
    """`planner init city --model tiny`: the spec is city/models/city.toml."""
    assert cli("init", str(tmp_path / "city"), "--model", "tiny").exit_code == 0
    return tmp_path / "city"


def measures_csv(city: Path) -> Path:
    return city / "inputs" / "city" / "measures.csv"


def solve(city: Path) -> tuple[dict, str]:
    out = city / "out"
    result = cli("run", str(city / "models" / "city.toml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8")), result.output


def invalid(city: Path) -> str:
    result = cli("validate", str(city / "models" / "city.toml"))
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    return result.output


def test_decimal_comma_is_an_error_that_says_so(city):
    measures_csv(city).write_text(MEASURES.replace("cheap,便宜措施,energy,unit,10,", 'cheap,便宜措施,energy,unit,"1,5",'),
                                  encoding="utf-8")
    assert "line 2, capex_wan_yuan: '1,5' looks like a decimal comma; write 1.5" in invalid(city)


def test_thousands_separator_is_read_as_thousands(city):
    """potential "1,000" of the dear measure: more potential than the optimum needs, so 9.0 stays."""
    measures_csv(city).write_text(MEASURES.replace("10,10,200", '10,"1,000",200'), encoding="utf-8")
    summary, _ = solve(city)
    assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN)
    measures_csv(city).write_text(MEASURES.replace("10,10,200", '10,"1,00,000",200'), encoding="utf-8")
    assert "'1,00,000' has a comma that is not a thousands separator" in invalid(city)


def test_gbk_file_is_read_with_a_warning(city):
    measures_csv(city).write_bytes(MEASURES.encode("gbk"))
    summary, output = solve(city)
    assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN)
    assert "read as GB18030/GBK" in output
    plan = (city / "out" / "plan.csv").read_text(encoding="utf-8-sig")
    assert "便宜措施" in plan or "cheap" in plan
    catalogue = (city / "out" / "cost_effectiveness.csv").read_text(encoding="utf-8-sig")
    assert "便宜措施" in catalogue and "昂贵措施" in catalogue


def test_utf8_with_and_without_bom_read_without_warning(city):
    for data in (MEASURES.encode("utf-8"), MEASURES.encode("utf-8-sig")):
        measures_csv(city).write_bytes(data)
        summary, output = solve(city)
        assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN)
        assert "warning" not in output


def test_undecodable_file_is_one_error_naming_the_encodings(city):
    measures_csv(city).write_bytes(MEASURES.encode("utf-8").replace("便宜".encode(), b"\x80\xff\xfe"))
    output = invalid(city)
    assert "measures.csv has 1 problem" in output
    assert "neither UTF-8 (with or without byte-order mark) nor GB18030/GBK" in output


@pytest.mark.parametrize("separator,word", [(";", "semicolons (;)"), ("\t", "tabs")])
def test_semicolon_and_tab_files_are_read_with_a_warning(city, separator, word):
    measures_csv(city).write_text(MEASURES.replace(",", separator), encoding="utf-8")
    summary, output = solve(city)
    assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN)
    assert f"columns are separated by {word}, not commas" in output
    assert "Expected" not in output


def test_semicolon_file_with_decimal_commas_says_so(city):
    text = MEASURES.replace(",", ";").replace("unit;10;0;10;5;100", "unit;10;0;10;5;100,5")
    measures_csv(city).write_text(text, encoding="utf-8")
    assert "line 2, co2_t_per_yr: '100,5' looks like a decimal comma; write 100.5" in invalid(city)


def test_empty_rows_are_skipped_and_line_numbers_are_the_files_own(city):
    """A blank line 3 and an Excel row of commas at line 4: the bad cell on the file's line 6 is
    reported as line 6, and no numpy warning leaks."""
    lines = MEASURES.splitlines()
    text = "\n".join([lines[0], lines[1], "", ",,,,,,,,,", lines[2], "bad,坏,energy,unit,ten,0,10,5,100,x"]) + "\n"
    measures_csv(city).write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-W", "default", "-m", "planner", "validate",
                             str(city / "models" / "city.toml")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "line 6, capex_wan_yuan: must be a number >= 0 (got 'ten')" in result.stderr
    assert "Warning" not in result.stderr and "line 4" not in result.stderr
    measures_csv(city).write_text("\n".join([lines[0], ",,,,,,,,,", lines[1], "", lines[2], ",,,,,,,,,,,,"]) + "\n",
                                  encoding="utf-8")
    summary, output = solve(city)
    assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN) and "warning" not in output


def test_full_width_digits_commas_and_spaces_are_normalised_with_a_note(city):
    text = MEASURES.replace("unit,10,0,10,5,100", "unit,１０,０,１０,\u3000５\u3000,１００")
    measures_csv(city).write_text(text, encoding="utf-8")
    targets = city / "inputs" / "city" / "targets.csv"
    targets.write_text("year,pollutant,kind,value\n２０２３,ＣＯ２,ｒｅｄｕｃｔｉｏｎ,\"７００\"\n", encoding="utf-8")
    summary, output = solve(city)
    assert summary["objective"] == pytest.approx(TINY_OPTIMUM_WAN_YUAN)
    assert "read full-width characters as their ASCII forms in 5 cell(s)" in output
    assert "line 2, capex_wan_yuan: '１０' as '10'" in output


def test_a_row_split_by_full_width_commas_is_explained(city):
    lines = MEASURES.splitlines()
    measures_csv(city).write_text("\n".join([lines[0], lines[1], lines[2].replace(",", "，")]) + "\n",
                                  encoding="utf-8")
    assert "line 3: its values are separated by full-width commas (，)" in invalid(city)


def test_too_many_values_in_a_row_is_explained(city):
    measures_csv(city).write_text(MEASURES.replace("unit,10,0", "unit,1,200,0"), encoding="utf-8")
    output = invalid(city)
    assert "line 2: has 11 values but the header names 10 columns" in output and "1,200" in output


def test_convert_reads_a_gbk_semicolon_folder_like_run_does(city, tmp_path):
    """planner convert of a folder saved by Chinese Excel (GBK, semicolons) reads it as load_data does."""
    measures_csv(city).write_bytes(MEASURES.replace(",", ";").encode("gbk"))
    book = tmp_path / "city.xlsx"
    result = cli("convert", str(city / "inputs" / "city"), str(book))
    assert result.exit_code == 0, result.output
    back = tmp_path / "back"
    assert cli("convert", str(book), str(back)).exit_code == 0
    text = (back / "measures.csv").read_text(encoding="utf-8-sig")
    assert "便宜措施" in text and "昂贵措施" in text
