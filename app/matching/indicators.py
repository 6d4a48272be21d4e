"""Technical-indicator fit: does a patent meet a demand's target (续航 ≥ 500 km, 能量密度 ≥ 280 Wh/kg)?

Units are normalised with pint (Chinese unit names are aliased to pint's), so ``0.3 kWh/kg`` meets
``≥ 280 Wh/kg``. A patent's value comes from its structured indicator rows or, failing that, from its text
("能量密度达到300Wh/kg"). Each check answers met / not met / unknown.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pint

# Chinese and typographic unit spellings → pint expressions.
UNIT_ALIASES = {
    "℃": "degC", "°c": "degC", "摄氏度": "degC", "度": "degC", "k": "kelvin",
    "%": "percent", "％": "percent", "‰": "permille", "ppm": "ppm",
    "小时": "hour", "h": "hour", "天": "day", "日": "day", "分钟": "minute", "min": "minute", "秒": "second",
    "毫秒": "millisecond", "微秒": "microsecond", "年": "year", "月": "month",
    "公里": "km", "千米": "km", "米": "m", "厘米": "cm", "毫米": "mm", "微米": "um", "μm": "um", "µm": "um",
    "纳米": "nm", "吨": "metric_ton", "t": "metric_ton", "千克": "kg", "公斤": "kg", "克": "g", "毫克": "mg",
    "元": "yuan", "万元": "wan_yuan", "亿元": "yi_yuan",
    "伏": "V", "千伏": "kV", "安": "A", "瓦": "W", "千瓦": "kW", "兆瓦": "MW",
    "次": "cycle", "次循环": "cycle", "fps": "fps", "帧/秒": "fps", "帧每秒": "fps",
}

NUMBER = r"(\d+(?:\.\d+)?)"
# A unit written after a number: letters, Chinese unit characters, %, ℃, slashes and degree signs.
UNIT_TEXT = r"([A-Za-zμµ%％℃°/·‰\u4e00-\u9fff]{0,8})"


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    registry.define("yuan = [currency]")
    registry.define("wan_yuan = 10000 * yuan")
    registry.define("yi_yuan = 100000000 * yuan")
    registry.define("cycle = [count]")
    registry.define("fps = [frame_rate]")
    return registry


def parse_unit(text: str | None):
    """The pint unit for ``text`` (Chinese or SI spelling), or None when unknown or empty."""
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = UNIT_ALIASES.get(cleaned, UNIT_ALIASES.get(cleaned.lower(), cleaned))
    try:
        return _registry().Unit(cleaned)
    except Exception:  # pint raises several error types for unknown or malformed units
        return None


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; unitless on both sides passes through."""
    if not from_unit and not to_unit:
        return value
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source is None or target is None:
        return value if (from_unit or "").strip() == (to_unit or "").strip() else None
    try:
        return _registry().Quantity(value, source).to(target).magnitude
    except pint.DimensionalityError:
        return None


@dataclass
class IndicatorCheck:
    """One demand indicator checked against a patent: ``result`` is met / not_met / unknown."""

    name: str
    target: str
    found: str | None
    result: str
    source: str | None = None  # "indicator" (structured row) or "text"

    def as_dict(self) -> dict:
        return {"name": self.name, "target": self.target, "found": self.found, "result": self.result,
                "source": self.source}


def describe(row) -> str:
    """Human-readable target or value: ``≥ 280 Wh/kg``, ``500–600 km``."""
    unit = f" {row.unit}" if row.unit else ""
    if row.comparator == "range":
        return f"{_fmt(row.value)}–{_fmt(row.value_max)}{unit}"
    symbol = {"gte": "≥ ", "lte": "≤ ", "eq": ""}[row.comparator]
    return f"{symbol}{_fmt(row.value)}{unit}"


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _names_match(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()


def _bounds(row) -> tuple[float | None, float | None]:
    """Lower and upper bound a stated value or range achieves."""
    if row.comparator == "range":
        return row.value, row.value_max
    return row.value, row.value


def _meets(target, low: float, high: float) -> bool:
    """Whether an achieved interval [low, high] (already in the target's unit) meets ``target``."""
    if target.comparator == "gte":
        return high >= target.value
    if target.comparator == "lte":
        return low <= target.value
    if target.comparator == "range":
        return low >= target.value and high <= target.value_max
    tolerance = abs(target.value) * 0.05  # "eq": within 5%
    return low - tolerance <= target.value <= high + tolerance


class _Stated:
    """A value found in text, shaped like an indicator row."""

    def __init__(self, value: float, unit: str):
        self.comparator, self.value, self.value_max, self.unit = "eq", value, None, unit


def find_in_text(name: str, text: str) -> list[_Stated]:
    """Values stated for indicator ``name`` in free text, e.g. "能量密度达到300Wh/kg" → 300 Wh/kg."""
    if not name or not text:
        return []
    pattern = re.escape(_norm(name)) + r"[^0-9。；;]{0,12}?" + NUMBER + r"\s*" + UNIT_TEXT
    normalised = unicodedata.normalize("NFKC", text)
    return [_Stated(float(m.group(1)), _longest_unit(m.group(2)))
            for m in re.finditer(pattern, normalised, flags=re.IGNORECASE)]


def _longest_unit(text: str) -> str:
    """The longest prefix of ``text`` that is a unit ("Wh/kg以上" → "Wh/kg"); "" when none is."""
    for end in range(len(text), 0, -1):
        if parse_unit(text[:end]) is not None:
            return text[:end]
    return ""


def check(target, patent_rows, patent_text: str = "") -> IndicatorCheck:
    """Check one demand indicator ``target`` against a patent's indicator rows, then its text."""
    candidates = [(row, "indicator") for row in patent_rows if _names_match(row.name, target.name)]
    candidates += [(row, "text") for row in find_in_text(target.name, patent_text)]
    target_text = describe(target)
    for row, source in candidates:
        low, high = _bounds(row)
        low_c, high_c = convert(low, row.unit, target.unit), convert(high, row.unit, target.unit)
        if low_c is None or high_c is None:
            continue  # incomparable units: try the next statement
        result = "met" if _meets(target, low_c, high_c) else "not_met"
        return IndicatorCheck(target.name, target_text, describe(row), result, source)
    return IndicatorCheck(target.name, target_text, None, "unknown")
