"""Cleaning keeps a map to the original text; spaces inside words and numbers and page furniture go."""

from __future__ import annotations

from ingest.clean import clean


def _consistent(original: str) -> None:
    c = clean(original)
    assert len(c.origin) == len(c.text)
    assert all(0 <= o < len(original) for o in c.origin)
    assert c.origin == tuple(sorted(c.origin))


def test_spaces_inside_words_and_numbers_are_removed() -> None:
    c = clean("江 苏省获 2 000万元支持,新增 51 家企业。")
    assert c.text == "江苏省获2000万元支持,新增51家企业。"


def test_spaces_between_latin_words_and_separate_numbers_stay() -> None:
    assert clean("Smart City 2019 2020年").text == "Smart City 2019 2020年"


def test_a_table_cell_keeps_its_item_spaces_but_joins_a_wrapped_legal_form() -> None:
    c = clean("1\t泉山区 铜山区 科技局\t黑龙江华信经济贸易 有限责任公司\n")
    assert "泉山区 铜山区 科技局" in c.text
    assert "黑龙江华信经济贸易有限责任公司" in c.text
    _consistent("1\t泉山区 铜山区 科技局\t黑龙江华信经济贸易 有限责任公司\n")


def test_full_width_forms_become_half_width() -> None:
    assert clean("（２０１８）：第１条，ＩＣＴ产业").text == "(2018):第1条,ICT产业"


def test_hard_line_break_inside_a_sentence_is_joined() -> None:
    c = clean(
        "简化办事流程,加强企业经营活动的备案管理,探索实\n\n行登记申报承诺制。\n一、指导思想\n全面贯彻。"
    )
    assert "探索实行登记申报承诺制。" in c.text
    assert "一、指导思想\n全面贯彻" in c.text


def test_page_furniture_is_dropped() -> None:
    c = clean("正文第一句。\n扫描二维码 看更多精彩内容\n下载掌阅APP,畅读海量书库\n上一章\n正文第二句。")
    assert "二维码" not in c.text and "掌阅" not in c.text and "上一章" not in c.text
    assert "正文第一句。" in c.text and "正文第二句。" in c.text


def test_original_span_points_back_into_the_original() -> None:
    original = "国家工程机械质 检中心已落户徐州。"
    c = clean(original)
    start = c.text.index("国家工程机械质检中心")
    s, e = c.original_span(start, start + len("国家工程机械质检中心"))
    assert original[s:e] == "国家工程机械质 检中心"


def test_offsets_are_monotonic_on_messy_input() -> None:
    _consistent("  ㎡ 扬 州\t 2 000\u3000万元 \n\n\n★ 标题\r\n正文，继续")
    _consistent("")
