"""Every run status a planner run can report has a Chinese and an English label in the report
(report must not import planner.solve, so its label table is checked against RunStatus here)."""

from __future__ import annotations

import re

from planner.report.labels import STATUS_EN, STATUS_ZH, status_label
from planner.solve.status import RunStatus


def test_every_run_status_has_a_label_in_both_languages():
    for status in RunStatus:
        assert status.value in STATUS_ZH, status
        assert status.value in STATUS_EN, status
        zh = status_label(status.value, "zh")
        # the Chinese label is Chinese, with the code kept in brackets
        assert re.search(r"[\u4e00-\u9fff]", zh) and zh.endswith(f"({status.value})"), zh
        en = status_label(status.value, "en")
        assert not re.search(r"[\u4e00-\u9fff]", en) and "_" not in en.split(" (")[0], en
    assert set(STATUS_ZH) == {s.value for s in RunStatus}


def test_status_label_keeps_an_unknown_code():
    assert status_label("something_new", "zh") == "something_new"
    assert status_label(None, "en") == ""
