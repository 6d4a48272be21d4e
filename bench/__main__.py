"""``python -m bench [--sizes 10000 100000] [--queries 200] [--fresh]``: quality and speed in one run, as JSON.

The headline is ``bdci2019_dev`` (real demands graded by tech-transfer staff, :mod:`bench.bdci`); the
computing-patent and CSL sets follow as secondary rows; then speed at each size.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import bdci
from .datasets import csl_keywords, patents_cpc
from .quality import bm25_baseline, matcher_runs
from .scale import run_scale, scale_queries

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached benchmark database and vectors")
    args = parser.parse_args()
    report = {"quality": {"bdci2019_dev": bdci.run(fresh=args.fresh)}, "scale": []}
    print(json.dumps({"bdci2019_dev": report["quality"]["bdci2019_dev"]}, ensure_ascii=False), flush=True)
    for bench in (patents_cpc(), csl_keywords(500)):
        baseline, ours = bm25_baseline(bench), matcher_runs(bench)
        report["quality"][bench.name] = {
            "queries": len(bench.queries), "documents": len(bench.documents), "bm25s_jieba": baseline,
            "matcher": ours, "ndcg@10_ratio": round(ours["ndcg@10"] / baseline["ndcg@10"], 2),
        }
        print(json.dumps({bench.name: report["quality"][bench.name]}, ensure_ascii=False), flush=True)
    for size in args.sizes:
        figures = run_scale(size, scale_queries(args.queries))
        report["scale"].append(figures)
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
