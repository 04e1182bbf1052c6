"""Numbers as planners type them: full-width digits (NFKC) and thousands separators, never a decimal comma.

Shared by the CSV reader and the command line, so ``1,200`` means 1200 everywhere a single number
is expected and ``1,5`` is refused everywhere with the same sentence.
"""

from __future__ import annotations

import re
import unicodedata

# A comma is accepted only as a thousands separator: 1,200 and -12,345,678.5, not 1,5 or 12,34.
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def normalise(text: str) -> str:
    """NFKC (full-width ６００ -> 600, ， -> ,, U+3000 -> space), then surrounding whitespace dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def comma_problem(text: str) -> str | None:
    """Why a comma in ``text`` (already normalised) is not a thousands separator; None if it is or there is none."""
    if "," not in text or THOUSANDS.match(text):
        return None
    if DECIMAL_COMMA.match(text):
        return f"{text!r} looks like a decimal comma; write {text.replace(',', '.')}"
    return (f"{text!r} has a comma that is not a thousands separator (1,200,000); "
            "write the number without it")


def strip_thousands(text: str) -> str:
    """``text`` without its thousands separators (call after ``comma_problem`` returned None)."""
    return text.replace(",", "") if THOUSANDS.match(text) else text


def parse_number(text: str) -> float:
    """A number as typed; ValueError with a sentence saying what is wrong."""
    clean = normalise(text)
    problem = comma_problem(clean)
    if problem:
        raise ValueError(problem)
    try:
        return float(strip_thousands(clean).replace("_", "x"))  # no 1_000: float() would accept it
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
