"""Money amounts in yuan."""

from __future__ import annotations

import pytest

from ingest.amounts import parse_amount, parse_amounts


@pytest.mark.parametrize(
    ("text", "cny"),
    [
        ("建立2亿元的市级创业投资引导基金", 200_000_000),
        ("获2000万元支持", 20_000_000),
        ("总投资2600万元", 26_000_000),
        ("挂牌金额95.28亿元", 9_528_000_000),
        ("给予一千万元奖励", 10_000_000),
        ("每家给予5-10万元资助", 100_000),
        ("奖励30万元", 300_000),
    ],
)
def test_amounts_in_yuan(text: str, cny: float) -> None:
    assert parse_amount(text) == pytest.approx(cny)


def test_no_amount_without_a_currency_unit() -> None:
    assert parse_amount("高新技术企业571家,增长25%") is None


def test_every_amount_with_its_span() -> None:
    text = "分别奖励10万元、5万元"
    found = parse_amounts(text)
    assert [a.cny for a in found] == [100_000, 50_000]
    assert [text[a.start : a.end] for a in found] == ["10万元", "5万元"]


def test_a_decimal_amount_is_exact_to_the_fen() -> None:
    # 1.1 × 10^8 in floating point is 110000000.00000001; the amount is stored as the text says
    assert parse_amount("投资1.1亿元") == 110_000_000
