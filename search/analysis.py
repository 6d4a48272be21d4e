"""The one analysis pipeline both engines use, for documents and queries alike.

normalise (NFKC: full width → half width; traditional → simplified with OpenCC; case folding), then split
into Latin/number runs kept whole (``lifepo4``, ``gb/t``, ``18650``) and CJK runs segmented by jieba's
search mode with our domain dictionary. Engines index the space-joined tokens with a plain whitespace
analyzer, so tantivy and Elasticsearch see exactly the same terms.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

DOMAIN_DICTIONARY = Path(__file__).parent / "dictionary" / "domain_terms.txt"
MAX_TEXT = 20_000  # characters analysed per field; longer input is cut (queries included)

_RUN = re.compile(r"[a-z0-9]+(?:[._/+\-][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 对 为 其 该 以 并 将 于 由 从 上 中 之 而 及其 一种 所述 用于 基于 包括 通过 进行 一个 "
    "所 可 能 使 这 那 有 被 把 也 就 都 a an and are as at be by for from in is of on or the to with".split()
)

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer with the domain dictionary (loaded once, ~1 s)."""
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for line in DOMAIN_DICTIONARY.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                tokenizer.add_word(line, freq=2000)
        return tokenizer


def normalise(text: str) -> str:
    """Full/half width, traditional → simplified, case folded."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    if _CJK.search(text):
        text = _converter().convert(text)
    return text.casefold()


def analyze(text: str | None) -> list[str]:
    """The tokens of ``text``, in order, stopwords dropped (duplicates kept: they carry term frequency)."""
    if not text:
        return []
    tokens: list[str] = []
    cut = _tokenizer().cut_for_search
    for match in _RUN.finditer(normalise(text)):
        run = match.group()
        if _CJK.match(run):
            if len(run) == 1:
                words = [run]
            else:
                words = [w for w in cut(run, HMM=False) if len(w) > 1]
        else:
            words = [run]
        tokens.extend(w for w in words if w not in STOPWORDS)
    return tokens


def analyze_joined(text: str | None) -> str:
    """``analyze`` as one space-separated string, the form engines index."""
    return " ".join(analyze(text))
