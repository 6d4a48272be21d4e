"""Highlighted fragments: where they start, what they mark and what they escape (engine-independent)."""
from __future__ import annotations

from search.highlight import highlight


def test_touching_matches_are_one_mark_and_only_markup_is_escaped():
    fragments = highlight("前言电池电池组件和電池<b>与电池尾部电池", ["电池", "电池组"], fragment_chars=8)
    assert fragments == ["前言<mark>电池电池组</mark>件…", "…件和<mark>電池</mark>&lt;b&gt;与…"]


def test_a_fragment_starts_at_the_first_match_it_does_not_already_show():
    fragments = highlight("abcdefgh电池ijklmnopqrstuv电池wxyz电池", ["电池"], fragment_chars=12)
    assert fragments == ["…fgh<mark>电池</mark>ijklmno…", "…tuv<mark>电池</mark>wxyz<mark>电池</mark>"]


def test_a_match_reaching_into_the_next_fragment_is_marked_in_both():
    fragments = highlight("一二三四五六七八九十电池甲乙丙丁电池", ["电池", "电池甲乙丙"], fragment_chars=8)
    assert fragments == ["…九十<mark>电池甲乙丙</mark>丁…", "…<mark>丙</mark>丁<mark>电池</mark>"]


def test_no_match_no_fragment():
    assert highlight("储能器件", ["电池"]) == [] and highlight("", ["电池"]) == [] and highlight("电池", []) == []
