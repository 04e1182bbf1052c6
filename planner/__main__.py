"""`python -m planner` is the same as the `planner` command."""

from planner.cli import entry_point

if __name__ == "__main__":  # guarded: sweep worker processes re-import this module
    entry_point()
