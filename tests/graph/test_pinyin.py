"""Pinyin search keys (graph/pinyin.py): names as toneless pinyin, typed queries recognised as pinyin."""

from __future__ import annotations

import pytest

from graph.pinyin import pinyin_key, pinyin_query


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("徐州", "xuzhou"),
        ("徐州高新区", "xuzhougaoxinqu"),
        ("重庆", "chongqing"),  # the phrase dictionary reads 重 as chong here
        ("中国矿业大学", "zhongguokuangyedaxue"),
        ("ABB（中国）有限公司", "abbzhongguoyouxiangongsi"),
        ("", ""),
    ],
)
def test_pinyin_key_spells_the_name(name: str, key: str) -> None:
    assert pinyin_key(name) == key


@pytest.mark.parametrize(
    ("typed", "key"),
    [("xuzhou", "xuzhou"), ("Xu Zhou", "xuzhou"), ("xi'an", "xian"), ("xuz", "xuz"), ("x", None)],
)
def test_pinyin_query_reads_latin_letters_only(typed: str, key: str | None) -> None:
    assert pinyin_query(typed) == key


@pytest.mark.parametrize("typed", ["徐州", "xu州", "3d", "x-1", ""])
def test_chinese_or_digits_are_not_a_pinyin_query(typed: str) -> None:
    assert pinyin_query(typed) is None
