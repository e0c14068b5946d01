"""Pinyin search keys: an entity's name as toneless pinyin without spaces (徐州 → xuzhou).

The key is stored on every Entity node when it is written (graph/store.py; apply_schema fills it in on
nodes written before it existed), so a pinyin search reads one property instead of converting every name
per request. pypinyin's phrase dictionary picks each character's reading in context (重庆 → chongqing).
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_NOT_KEY = re.compile(r"[^a-z0-9]+")
# What a typed pinyin query may hold: Latin letters, with spaces, apostrophes (xi'an) or hyphens between.
_PINYIN_QUERY = re.compile(r"^[A-Za-z][A-Za-z\s'’-]*$")
MIN_PINYIN_QUERY = 2  # one letter would match most names


def pinyin_key(text: str) -> str:
    """``text`` as lower-case toneless pinyin, Latin letters and digits kept, everything else dropped."""
    return _NOT_KEY.sub("", "".join(lazy_pinyin(text, style=Style.NORMAL)).lower())


def pinyin_query(q: str) -> str | None:
    """The pinyin key a typed query stands for (``Xu Zhou`` → ``xuzhou``), or None when it is not pinyin."""
    if not _PINYIN_QUERY.match(q):
        return None
    key = _NOT_KEY.sub("", q.lower())
    return key if len(key) >= MIN_PINYIN_QUERY else None
