"""Derive ``search/dictionary/generic_terms.txt``: the words in more than 5% of the documents of *both* public
corpora in ``shared/data`` (computing patents and scientific abstracts from 67 disciplines).

Requiring both keeps words that are common only in one field (数据 in computing) out of the list; what is
left says nothing in any field (方法, 技术, 提高, 进行 …). The matcher uses it while an index is too small
for its own statistics. ``python -m bench.generic_terms`` rewrites the file.
"""
from __future__ import annotations

import json
from collections import Counter

from search.analysis import GENERIC_SHARE, GENERIC_TERMS, words

from .datasets import DATA

CORPORA = {
    "cn_g06f_patents/patents.jsonl (CC BY 4.0)": ("title", "abstract"),
    "csl/csl.jsonl (Apache-2.0)": ("title", "abstract"),
}


def frequent_words(path: str, fields: tuple[str, ...]) -> set[str]:
    """Words in more than GENERIC_SHARE of the documents of one corpus."""
    df, total = Counter(), 0
    with (DATA / path.split(" ")[0]).open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            df.update(set(words(" ".join(row[f] for f in fields))))
            total += 1
    return {word for word, count in df.items() if count > GENERIC_SHARE * total}


def main() -> None:
    common = set.intersection(*(frequent_words(path, fields) for path, fields in CORPORA.items()))
    header = ["# Generic words: in more than 5% of the documents of both public corpora below (bench/generic_terms.py).",
              *(f"# source: {path}" for path in CORPORA)]
    GENERIC_TERMS.write_text("\n".join(header + sorted(common)) + "\n", encoding="utf-8")
    print(f"{len(common)} generic terms written to {GENERIC_TERMS}")


if __name__ == "__main__":
    main()
