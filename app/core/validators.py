"""Validators and normalisers for Chinese identifiers: patent numbers, IPC codes, credit codes.

Each ``normalise_*`` returns the canonical form or raises ``ValueError`` with a message meant for the user.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as MarshmallowError
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from app.core.formatting import local_today

_APPLICATION = re.compile(r"^(?P<prefix>CN|ZL)?(?P<digits>\d{12}|\d{8})\.?(?P<check>[\dX])$")
_PUBLICATION = re.compile(r"^CN\d{7,9}[ABCUYS]\d?$")
_IPC = re.compile(r"^(?P<subclass>[A-H]\d{2}[A-Z])(?:\s*(?P<group>\d{1,4})\s*/\s*(?P<subgroup>\d{1,6}))?$")
_IPC_WIPO = re.compile(r"^(?P<subclass>[A-H]\d{2}[A-Z])(?P<group>\d{4})(?P<subgroup>\d{6})$")


def _clean(value: str) -> str:
    """Full-width → half-width, upper case, no inner whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def application_check_char(digits: str) -> str:
    """Check character of a CNIPA application number (weights 2..9 cycling, mod 11, 10 → X)."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(digits))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_patent_number(value: str) -> str:
    """Validate a CN application (``CN202310123456.6``/``ZL…``) or publication (``CN117151122A``) number.

    Application numbers are checked against their check character; publication numbers have none.
    """
    cleaned = _clean(value)
    if _PUBLICATION.match(cleaned):
        return cleaned
    match = _APPLICATION.match(cleaned)
    if not match:
        raise ValueError(_l("Not a Chinese patent number: use e.g. CN202310123456.6, ZL202310123456.6 or CN117151122A."))
    digits, check = match["digits"], match["check"]
    expected = application_check_char(digits)
    if check != expected:
        raise ValueError(_l("Wrong check digit: for %(digits)s it is %(expected)s, not %(check)s.", digits=digits,
                            expected=expected, check=check))
    return f"{match['prefix'] or 'CN'}{digits}.{check}"


def normalise_ipc(value: str) -> str:
    """Validate an IPC symbol and return its canonical form: ``G06F 16/35`` (or a subclass ``G06F``).

    Accepts ``G06F16/35``, ``G06F 16/35``, ``G06F 0016/350`` and WIPO's 14-character ``G06F0016350000``.
    """
    cleaned = unicodedata.normalize("NFKC", value).strip().upper()
    match = _IPC_WIPO.match(cleaned.replace(" ", "")) or _IPC.match(cleaned)
    if not match:
        raise ValueError(_l("“%(value)s” is not an IPC symbol (e.g. G06F 16/35).", value=value))
    subclass = match["subclass"]
    if subclass[:3] not in ipc_titles():
        raise ValueError(_l("Unknown IPC class %(value)s.", value=subclass[:3]))
    if match["group"] is None:
        return subclass
    group = int(match["group"])
    subgroup = match["subgroup"].rstrip("0").ljust(2, "0")
    return f"{subclass} {group}/{subgroup}"


def validate_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code (统一社会信用代码) including its check character."""
    try:
        return uscc.validate(_clean(value))
    except InvalidChecksum:
        raise ValueError(_l("The check character of this unified social credit code is wrong.")) from None
    except StdnumError:
        raise ValueError(_l("Not a unified social credit code (18 characters, digits and capitals).")) from None


@lru_cache(maxsize=1)
def ipc_titles() -> dict[str, str]:
    """IPC section/class/subclass symbol → English title."""
    path = Path(__file__).parent / "data" / "ipc_titles.tsv"
    with path.open(encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t", 1) for line in handle if "\t" in line)


# Dates people type: a filed or granted patent cannot lie ahead, and a demand valid for more than a few decades
# is a typo (2099 for 2029), not a plan.
MAX_VALIDITY_YEARS = 30


def not_in_future(value: date) -> None:
    """Refuse a date after today (application and grant dates)."""
    if value > local_today():
        raise MarshmallowError([_l("The date must not be in the future.")])


def within_validity_horizon(value: date) -> None:
    """Refuse a validity date more than ``MAX_VALIDITY_YEARS`` ahead."""
    today = local_today()
    if value > today.replace(year=today.year + MAX_VALIDITY_YEARS, day=min(today.day, 28)):
        raise MarshmallowError([_l("The validity date must be within %(years)s years.", years=MAX_VALIDITY_YEARS)])
