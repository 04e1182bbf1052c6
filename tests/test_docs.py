"""The user docs cover every input column, spec key and command (they fail when one is added undocumented)."""

from pathlib import Path

from planner.cli import main
from planner.io.schema import FILES
from planner.io.spec import SPEC_KEYS

ROOT = Path(__file__).resolve().parents[1]


def test_every_input_column_is_documented():
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    for file, columns in FILES.items():
        assert f"`{file}`" in text, file
        for column in columns:
            assert f"`{column.name}`" in text, f"{file}: {column.name} missing from docs/inputs.md"


def test_every_spec_key_is_documented():
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    for table, keys in SPEC_KEYS.items():
        for key in keys:
            assert f"[{table}] {key}" in text or f"`{key}`" in text, f"[{table}] {key} missing from docs/inputs.md"


def test_every_command_is_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in main.commands:
        assert f"planner {command}" in text, f"`planner {command}` missing from README.md"


def test_every_constraint_builder_is_in_model_doc():
    import planner.model.build as model

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    for name in dir(model):
        if name.startswith("_add_"):
            assert f"`{name}`" in text, f"{name} missing from docs/model.md"


def _scenario_section() -> str:
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    start = text.index("## Scenarios: `[scenarios.NAME]` tables in the spec")
    return text[start:text.index("\n## ", start + 1)]


def test_every_scenario_key_is_documented_with_an_example():
    """Issue 10 item 14: each key a [scenarios.NAME] table accepts has a row with an example
    (`key = ...`), and every key of the tables a scenario may override has its own example."""
    from planner.io.scenarios import OVERRIDE_TABLES, SCENARIO_KEYS

    section = _scenario_section()
    for key in SCENARIO_KEYS:
        assert f"| `{key}` |" in section, f"scenario key {key} has no row in docs/inputs.md"
        assert f"`{key} = " in section, f"scenario key {key} has no example `{key} = ...` in docs/inputs.md"
    for table in OVERRIDE_TABLES:
        for key in SPEC_KEYS.get(table, {}):
            assert f"`{table}.{key}`" in section, f"scenario {table}.{key} missing from docs/inputs.md"
            assert f"`{table} = {{ {key} = " in section, f"scenario {table}.{key} has no example"
