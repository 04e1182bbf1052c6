"""The planner's error types: every problem a user can fix is raised as one of these."""

from __future__ import annotations

from dataclasses import dataclass, field


class PlannerError(Exception):
    """An error the user can act on; the CLI prints its message without a traceback."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem in one input file: where it is, what is wrong and how to fix it."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(self.column)
        return ", ".join(parts)


@dataclass
class InputError(PlannerError):
    """All problems found in a data set or model spec, reported together."""

    problems: list[Problem] = field(default_factory=list)
    exit_code = 3

    def __str__(self) -> str:
        by_file: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_file.setdefault(problem.file, []).append(problem)
        blocks = []
        for file, problems in by_file.items():
            noun = "problem" if len(problems) == 1 else "problems"
            lines = [f"{file} has {len(problems)} {noun}:"]
            shown = problems[:MAX_PROBLEMS_PER_FILE]
            for problem in shown:
                where = problem.where()
                lines.append(f"  {where}: {problem.message}" if where else f"  {problem.message}")
            if len(problems) > len(shown):
                lines.append(f"  ... and {len(problems) - len(shown)} more of the same kind of check")
            blocks.append("\n".join(lines))
        return "\n".join(blocks)


# A file with thousands of bad rows gets a readable message, not a wall of text.
MAX_PROBLEMS_PER_FILE = 50


class ResultsFolderError(PlannerError):
    """The output folder cannot be written without risking a user's files."""

    exit_code = 6


class FolderLockedError(PlannerError):
    """Another planner run is writing the output folder (its lock file names the pid)."""

    exit_code = 8


class UsageError(PlannerError):
    """A command-line value or combination the command cannot use."""

    exit_code = 2


class Interrupted(PlannerError):
    """Ctrl-C: what was finished is kept; the message says what and how to continue."""

    exit_code = 130
