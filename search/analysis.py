"""The one analysis pipeline both engines use, for documents and queries alike.

normalise (NFKC: full width → half width; traditional → simplified with OpenCC; case folding), then take
Latin/number runs whole (``lifepo4``, ``gb/t``, ``gnn-x2``) and segment the Chinese text with jieba's search
mode and our domain dictionary, with jieba's new-word discovery (its HMM) on: without it a word the dictionary
lacks (变径, 胶剂) fell apart into single characters, which are never indexed, so nobody could search for it
(mapping v3 marks the change: indexes built before it report a problem until reindexed; dev benchmark: matcher
nDCG@10 0.186 → 0.188, segmentation as fast). Segmentation uses ``rjieba`` (jieba's dictionary and algorithm in Rust,
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
# Words in more than GENERIC_SHARE of documents say nothing about any of them (方法, 技术 …). The shipped list was
# derived so from public corpora (bench/generic_terms.py); the matcher uses an index's own statistics once it is big.
GENERIC_TERMS = Path(__file__).parent / "dictionary" / "generic_terms.txt"
GENERIC_SHARE = 0.05
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


@lru_cache(maxsize=1)
def static_generic_terms() -> frozenset[str]:
    """The shipped list of generic technical words (see ``GENERIC_TERMS``)."""
    lines = GENERIC_TERMS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# Full-width ASCII forms and the ideographic space, each as NFKC writes it (one ASCII character). Chinese text is
# full of them (，；（）：), and one such character sends NFKC from its quick check down its slow path over the
# whole text; replaced first, most texts pass the quick check. The result is the same: replacing a character by
# its compatibility decomposition is what NFKC does first anyway (checked on every text of the benchmark sets).
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF_WIDTH = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000)}


def half_width(text: str) -> str:
    """``text`` with its full-width ASCII forms and ideographic spaces as NFKC writes them (same length)."""
    return _FULL_WIDTH.sub(_half_width_of, text)


def _half_width_of(match: re.Match) -> str:
    return _HALF_WIDTH[match.group()]


def normalise(text: str) -> str:
    """Full/half width, traditional → simplified, case folded."""
    text = unicodedata.normalize("NFKC", half_width(text[:MAX_TEXT]))
    if _CJK.search(text):
        text = _converter().convert(text)
    return text.casefold()


def analyze(text: str | None) -> list[str]:
    """The tokens of ``text``: Latin runs, then Chinese words (duplicates kept: they carry term frequency).

    Single Chinese characters and stopwords are dropped: they match nearly everything.
    """
    return analyze_normal(normalise(text)) if text else []


def analyze_normal(normal: str) -> list[str]:
    """:func:`analyze` of a text already passed through :func:`normalise` (a document normalises its title once
    for its words and its completion prefixes)."""
    tokens = [t for t in _LATIN.findall(normal) if t not in STOPWORDS]
    if _CJK.search(normal):
        tokens.extend(_indexed_words(_tokenizer().cut_for_search(normal, True)))
    return tokens


# Segmenter output → whether it is kept as a token (two or more Chinese characters, not a stopword). Words repeat
# from text to text, so a lookup replaces a regular-expression match per word (half of the filtering's cost).
_kept: dict[str, bool] = {}
_KEPT_MAX = 1_000_000  # jieba's words are bounded by its dictionary; other runs (numbers, punctuation) are not


def _indexed_words(words: list[str]) -> list[str]:
    kept, out = _kept, []
    for word in words:
        keep = kept.get(word)
        if keep is None:
            if len(kept) >= _KEPT_MAX:
                kept.clear()
            keep = kept[word] = _CJK_WORD.fullmatch(word) is not None and word not in STOPWORDS
        if keep:
            out.append(word)
    return out


def words(text: str | None) -> list[str]:
    """The words of ``text`` in reading order without overlapping sub-words (jieba's precise mode).

    Key-phrase extraction counts these: search mode's extra sub-words would count a compound twice.
    """
    if not text:
        return []
    normal = normalise(text)
    tokens = [t for t in _LATIN.findall(normal) if t not in STOPWORDS]
    if _CJK.search(normal):
        tokens.extend(_indexed_words(_tokenizer().cut(normal, True)))
    return tokens

