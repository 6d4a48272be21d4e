"""The one analysis pipeline both engines use, for documents and queries alike.

normalise (NFKC: full width → half width; traditional → simplified with OpenCC; case folding), then take
Latin/number runs whole (``lifepo4``, ``gb/t``, ``gnn-x2``) and segment the Chinese text with jieba's search
mode and our domain dictionary. Segmentation uses ``rjieba`` (jieba's dictionary and algorithm in Rust,
about 10× faster than the Python original: segmentation is the indexing bottleneck). Engines index the space-joined tokens with a plain whitespace
analyzer, so tantivy and Elasticsearch see exactly the same terms.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
import rjieba

DOMAIN_DICTIONARY = Path(__file__).parent / "dictionary" / "domain_terms.txt"
MAX_TEXT = 20_000  # characters analysed per field; longer input is cut (queries included)

_LATIN = re.compile(r"[a-z0-9]+(?:[._/+\-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 对 为 其 该 以 并 将 于 由 从 上 中 之 而 及其 一种 所述 用于 基于 包括 通过 进行 一个 "
    "所 可 能 使 这 那 有 被 把 也 就 都 a an and are as at be by for from in is of on or the to with".split()
)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _tokenizer() -> rjieba.Jieba:
    """A private segmenter with jieba's dictionary plus our domain dictionary (loaded once)."""
    with _lock:
        tokenizer = rjieba.Jieba()
        for line in DOMAIN_DICTIONARY.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                tokenizer.add_word(line, 2000, None)
        return tokenizer


def normalise(text: str) -> str:
    """Full/half width, traditional → simplified, case folded."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    if _CJK.search(text):
        text = _converter().convert(text)
    return text.casefold()


def analyze(text: str | None) -> list[str]:
    """The tokens of ``text``: Latin runs, then Chinese words (duplicates kept: they carry term frequency).

    Single Chinese characters and stopwords are dropped: they match nearly everything.
    """
    if not text:
        return []
    normal = normalise(text)
    tokens = [t for t in _LATIN.findall(normal) if t not in STOPWORDS]
    if _CJK.search(normal):
        words = _tokenizer().cut_for_search(normal, False)
        tokens.extend(w for w in words if _CJK_WORD.fullmatch(w) and w not in STOPWORDS)
    return tokens


def analyze_joined(text: str | None) -> str:
    """``analyze`` as one space-separated string, the form engines index."""
    return " ".join(analyze(text))
