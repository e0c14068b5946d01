"""ingest.read: each format and encoding into a Document, and each kind of bad file into one clear reason."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import pickle
import random
import zipfile
from pathlib import Path

import docx
import pytest

from graph.errors import BadInput
from graph.model import content_id
from ingest.read import (
    UnreadableFile,
    _chinese_int,
    find_date,
    html_title,
    iter_paths,
    read_document,
    text_title,
)

XUZHOU = "徐州高新区简介\n\n2019年4月16日 星期二\n\n华为、中兴、软通动力等国内龙头企业都已入驻徐州。\n"


# --- file factories (also used by test_batch) -------------------------------------------------------


def make_pdf(pages: list[str], *, title: str | None = None) -> bytes:
    """A minimal valid PDF, one page per string: ASCII lines in Helvetica, other lines in the standard
    Chinese CID font STSong-Light (UniGB-UCS2-H), so Chinese extracts without an embedded font."""
    objects: list[bytes] = [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [3 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 4 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"",  # 5: the page tree, filled in once the pages are numbered
    ]
    kids: list[int] = []
    for text in pages:
        ops: list[bytes] = []
        for i, line in enumerate(text.split("\n")):
            y = 750 - 20 * i
            if line.isascii():
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(b"BT /F1 12 Tf 72 %d Td (%s) Tj ET" % (y, escaped.encode("latin-1")))
            else:
                ops.append(b"BT /F2 12 Tf 72 %d Td <%s> Tj ET" % (y, line.encode("utf-16-be").hex().encode()))
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 5 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 1 0 R /F2 2 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[4] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objects.append(b"<< /Type /Catalog /Pages 5 0 R >>")
    trailer = b"/Root %d 0 R" % len(objects)
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
        trailer += b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def make_docx(*, title: str | None = None) -> bytes:
    """A DOCX with a heading, a paragraph and a table with a merged cell, made by python-docx."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_heading("徐州高新区简介", level=1)
    document.add_paragraph("发布日期：2018-11-23")
    document.add_paragraph("徐州软件园牵手北京中关村。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "入驻企业"
    table.cell(1, 0).text = "徐工集团"
    table.cell(1, 1).text = "徐州"
    document.add_paragraph("结尾段落")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reason_for(path: Path, **kwargs: int) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_document(path, **kwargs)
    assert caught.value.path == str(path)
    assert "\n" not in caught.value.reason
    return caught.value.reason


# --- text --------------------------------------------------------------------------------------------


def test_utf8_text_is_read_untouched_with_id_title_and_date(tmp_path: Path) -> None:
    data = XUZHOU.encode("utf-8")
    path = write(tmp_path, "a.txt", data)
    document = read_document(path)
    assert document.text == XUZHOU
    assert document.id == content_id(data)
    assert document.source == str(path)
    assert document.title == "徐州高新区简介"
    assert document.date == dt.date(2019, 4, 16)


def test_utf8_bom_is_dropped_and_crlf_becomes_lf(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + XUZHOU.replace("\n", "\r\n").encode("utf-8")
    document = read_document(write(tmp_path, "bom.md", data))
    assert document.text == XUZHOU
    assert document.id == content_id(data)  # identity is the raw bytes, BOM included


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_chinese_is_detected(tmp_path: Path, encoding: str) -> None:
    data = XUZHOU.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    document = read_document(write(tmp_path, f"{encoding}.txt", data))
    assert document.text == XUZHOU
    assert document.date == dt.date(2019, 4, 16)


def test_short_gbk_text_is_read_as_chinese_not_korean(tmp_path: Path) -> None:
    # Five ideographs in GBK are also valid cp949 (Korean): detection ties, the Chinese reading wins.
    assert read_document(write(tmp_path, "short.txt", "徐州高新区".encode("gbk"))).text == "徐州高新区"


def test_utf8_with_a_stray_bad_byte_keeps_the_rest(tmp_path: Path) -> None:
    data = bytearray((XUZHOU * 20).encode("utf-8"))
    data[100] = 0xFF  # inside a character: that one character is lost, not the document
    lines = read_document(write(tmp_path, "stray.txt", bytes(data))).text.split("\n")
    expected = (XUZHOU * 20).split("\n")
    assert len(lines) == len(expected)
    changed = [(got, want) for got, want in zip(lines, expected, strict=True) if got != want]
    assert len(changed) == 1
    assert "\ufffd" in changed[0][0]


def test_mostly_ascii_gbk_is_not_taken_for_broken_utf8(tmp_path: Path) -> None:
    text = "Xuzhou High-tech Zone report. " * 20 + "徐州高新区 and 华为 moved in.\n"
    assert read_document(write(tmp_path, "mixed.txt", text.encode("gbk"))).text == text


def test_latin1_text_is_detected_too(tmp_path: Path) -> None:
    text = "Café de la Technologie à Xuzhou, près du parc.\n" * 3
    assert read_document(write(tmp_path, "fr.txt", text.encode("cp1252"))).text == text


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "u16.txt", XUZHOU.encode("utf-16"))).text == XUZHOU


# --- HTML --------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title> 徐州软件园 新闻 </title>
<style>p {{ color: red }}</style><script>var secret = "脚本内容";</script></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
<div class="content"><h1>徐州软件园牵手北京中关村</h1>
<p>发布日期：2018-11-23</p>
<p>徐州软件园<b>牵手</b>北京
   中关村，共建创新平台。</p><p>第一行<br>第二行</p>
<ul><li>徐工集团</li><li>华为</li></ul><script>track();</script></div></body></html>"""


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_drops_script_style_nav_and_keeps_blocks(tmp_path: Path, charset: str) -> None:
    path = write(tmp_path, "news.html", PAGE.format(charset=charset).encode(charset))
    document = read_document(path)
    assert document.title == "徐州软件园 新闻"
    assert document.date == dt.date(2018, 11, 23)
    lines = document.text.split("\n")
    assert lines == [
        "徐州软件园牵手北京中关村",
        "发布日期：2018-11-23",
        "徐州软件园牵手北京中关村，共建创新平台。",
        "第一行",
        "第二行",
        "徐工集团",
        "华为",
    ]
    for hidden in ("脚本内容", "track", "color", "首页", "新闻中心"):
        assert hidden not in document.text


def test_html_without_title_takes_the_first_line(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "t.htm", "<p>  江苏淮海科技城 简介 </p><p>正文</p>"))
    assert document.title == "江苏淮海科技城 简介"
    assert document.text == "江苏淮海科技城 简介\n正文"


def test_html_with_only_script_has_no_text(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "s.html", "<html><script>alert(1)</script><nav>菜单</nav></html>"))
    assert "no readable text" in reason


INDICATOR_PAGE = """<html><head><title>合肥市“十四五”科技创新规划</title></head><body>
<h1>合肥市人民政府关于印发合肥市“十四五”科技创新规划的通知</h1>
<p>现将《合肥市“十四五”科技创新规划》印发给你们，请认真贯彻执行。</p>
<p>主要指标</p>
<table>
  <thead><tr><th>指标名称</th><th>单位</th><th>2020年</th><th>2025年</th></tr></thead>
  <tbody>
    <tr><td><p>全社会研发投入占GDP比重</p></td><td>%</td><td>3.5</td><td>≥4.0</td></tr>
    <tr><td>高新技术企业数</td><td>家</td><td>4578</td>
        <td>8000以上</td></tr>
  </tbody>
</table>
<p>合肥市将支持合肥工业大学建设。</p>
</body></html>"""


def test_html_table_rows_are_lines_of_tab_separated_cells(tmp_path: Path) -> None:
    text = read_document(write(tmp_path, "plan.html", INDICATOR_PAGE)).text
    assert "指标名称\t单位\t2020年\t2025年" in text.split("\n")
    assert "全社会研发投入占GDP比重\t%\t3.5\t≥4.0" in text.split("\n")


def test_an_html_indicator_table_yields_its_targets(tmp_path: Path) -> None:
    from graph.model import RelType
    from ingest.pipeline import extract_document

    document = read_document(write(tmp_path, "plan.html", INDICATOR_PAGE))
    graph = extract_document(document).graph
    targets = {
        (r.target.removeprefix("Indicator:"), r.properties["year"]): (
            r.properties["value"],
            r.properties["unit"],
        )
        for r in graph.relations
        if r.type is RelType.SETS_TARGET
    }
    assert targets == {
        ("研发投入占GDP比重", 2020): (3.5, "%"),
        ("研发投入占GDP比重", 2025): (4.0, "%"),
        ("高新技术企业数", 2020): (4578.0, "家"),
        ("高新技术企业数", 2025): (8000.0, "家"),
    }
    for r in graph.relations:
        for ev in r.evidence:
            assert document.text[ev.start : ev.end] == ev.sentence


def test_a_layout_table_keeps_its_paragraphs_apart(tmp_path: Path) -> None:
    """Old pages lay out the whole article in a table: its cells' paragraphs stay lines of their own."""
    page = (
        "<table><tr><td><table><tr><td>首页</td><td>新闻</td></tr></table></td></tr>"
        "<tr><td><p>徐州高新区简介。</p><p>华为已入驻徐州。</p><p>第三段。</p><p>第四段。</p></td></tr></table>"
    )
    lines = read_document(write(tmp_path, "old.html", page)).text.split("\n")
    assert lines == ["首页\t新闻", "徐州高新区简介。", "华为已入驻徐州。", "第三段。", "第四段。"]


# --- PDF ---------------------------------------------------------------------------------------------


def test_pdf_pages_are_joined_by_blank_lines_with_metadata_title(tmp_path: Path) -> None:
    data = make_pdf(["Xuzhou High-tech Zone\nHuawei moved in (2019)", "Second page"], title="Zone report")
    document = read_document(write(tmp_path, "r.pdf", data))
    assert document.text == "Xuzhou High-tech Zone\nHuawei moved in (2019)\n\nSecond page"
    assert document.title == "Zone report"
    assert document.id == content_id(data)


def test_pdf_with_chinese_text_and_header_date(tmp_path: Path) -> None:
    document = read_document(
        write(tmp_path, "cn.pdf", make_pdf(["徐州高新区简介\n2019-04-16\n华为入驻徐州"]))
    )
    assert document.text == "徐州高新区简介\n2019-04-16\n华为入驻徐州"
    assert document.title == "徐州高新区简介"
    assert document.date == dt.date(2019, 4, 16)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_pdf_is_unreadable(tmp_path: Path, keep: float) -> None:
    data = make_pdf(["Xuzhou High-tech Zone"] * 3)
    reason = reason_for(write(tmp_path, "cut.pdf", data[: int(len(data) * keep)]))
    assert "truncated" in reason


def test_corrupt_pdf_is_unreadable(tmp_path: Path) -> None:
    data = make_pdf(["Xuzhou High-tech Zone"]).replace(b"xref", b"xxxx").replace(b"obj", b"bjo")
    reason = reason_for(write(tmp_path, "bad.pdf", data))
    assert "PDF" in reason


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    assert "OCR" in reason_for(write(tmp_path, "scan.pdf", make_pdf([""])))


def test_text_named_pdf_is_not_a_pdf(tmp_path: Path) -> None:
    assert "not a PDF" in reason_for(write(tmp_path, "fake.pdf", XUZHOU))


# --- DOCX --------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "d.docx", make_docx()))
    assert document.text.split("\n") == [
        "徐州高新区简介",
        "发布日期：2018-11-23",
        "徐州软件园牵手北京中关村。",
        "入驻企业",  # a merged cell once, not once per column it spans
        "徐工集团\t徐州",
        "结尾段落",
    ]
    assert document.title == "徐州高新区简介"
    assert document.date == dt.date(2018, 11, 23)


def test_docx_metadata_title_wins(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "d.docx", make_docx(title="工作意见"))).title == "工作意见"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_docx_is_unreadable(tmp_path: Path, keep: float) -> None:
    data = make_docx()
    assert "corrupt or truncated DOCX" in reason_for(
        write(tmp_path, "cut.docx", data[: int(len(data) * keep)])
    )


def zip_bomb_docx(unpacked_mib: int = 50) -> bytes:
    """A real .docx with `unpacked_mib` MiB of extra XML that deflates to a few dozen KB."""
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, zipfile.ZipFile(packed, "w") as bomb:
        for member in source.infolist():
            bomb.writestr(member, source.read(member))
        padding = b"<w:p/>" * (unpacked_mib * 1024 * 1024 // 6)
        bomb.writestr("word/padding.xml", padding, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return packed.getvalue()


def test_a_docx_that_unpacks_too_large_is_refused_before_parsing(tmp_path: Path) -> None:
    data = zip_bomb_docx()
    assert len(data) < 200 * 1024
    reason = reason_for(write(tmp_path, "bomb.docx", data))
    assert "unpacks to 50." in reason and "zip bomb" in reason


# --- bad files ---------------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path, "empty.txt", b"")) == "empty file"


def test_whitespace_only_file_has_no_text(tmp_path: Path) -> None:
    assert "no readable text" in reason_for(write(tmp_path, "blank.txt", " \n\n\t　\n。，"))


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8
    assert "binary" in reason_for(write(tmp_path, "blob.txt", data))


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    data = bytes(b for b in range(1, 256) if b not in b"\t\n\r") * 20
    assert "binary" in reason_for(write(tmp_path, "noise.txt", data))


def test_oversized_file_is_reported_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", XUZHOU * 100)
    reason = reason_for(path, max_bytes=1024)
    assert "too large" in reason
    assert "limit" in reason


def test_real_50_mib_file_against_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # a sparse file: 50 MiB on paper, instant to make
    assert "50.0 MiB" in reason_for(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    reason = reason_for(write(tmp_path, "sheet.xlsx", b"PK\x03\x04"))
    assert "unsupported file type '.xlsx'" in reason


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot open" in reason_for(tmp_path / "gone.txt")


def test_unreadable_file_is_a_bad_input_that_survives_pickling() -> None:
    error = UnreadableFile(Path("x.pdf"), "truncated PDF")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, UnreadableFile)
    assert isinstance(copy, BadInput)
    assert (copy.path, copy.reason, str(copy)) == ("x.pdf", "truncated PDF", "x.pdf: truncated PDF")


# --- dates and paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("焦作市研修班\n\n2019年4月16日 星期二", dt.date(2019, 4, 16)),
        ("(2018年4月18日)", dt.date(2018, 4, 18)),
        ("发布日期:2018-11-23 消息来源", dt.date(2018, 11, 23)),
        ("中国高新技术产业导报\n2020.1.13 星期一", dt.date(2020, 1, 13)),
        ("二〇一九年四月十六日", dt.date(2019, 4, 16)),
        ("２０２１年１２月３日", dt.date(2021, 12, 3)),
        ("版本 1.2.3，2019年13月40日", None),
        ("电话 (010)68667266 转247", None),
        ("", None),
    ],
)
def test_find_date(header: str, expected: dt.date | None) -> None:
    assert find_date(header) == expected


@pytest.mark.parametrize(
    ("numeral", "expected"),
    [
        ("二〇一九", 2019),
        ("二○二一", 2021),
        ("二零零八", 2008),
        ("十", 10),
        ("十六", 16),
        ("二十", 20),
        ("三十一", 31),
    ],
)
def test_chinese_numerals_of_dates_read_with_cn2an(numeral: str, expected: int) -> None:
    assert _chinese_int(numeral) == expected


def test_a_chinese_date_that_is_no_calendar_date_is_skipped() -> None:
    assert find_date("二〇一九年十十月三日") is None
    assert find_date("二○二一年十二月三十一日发布") == dt.date(2021, 12, 31)


def test_iter_paths_expands_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    b = write(tmp_path, "docs/b.txt", "b")
    a = write(tmp_path, "docs/sub/a.md", "a")
    write(tmp_path, "docs/.hidden.txt", "h")
    write(tmp_path, "docs/.git/config.txt", "h")
    write(tmp_path, "docs/~$lock.docx", "h")
    single = write(tmp_path, "one.pdf", "p")
    found = iter_paths([single, tmp_path / "docs", b])
    assert found == sorted([a, b, single], key=str)


def test_iter_paths_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file or folder"):
        iter_paths([tmp_path / "nowhere"])


def test_iter_paths_does_not_follow_a_folder_link_back_up(tmp_path: Path) -> None:
    a = write(tmp_path, "docs/a.txt", "a")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    assert iter_paths([tmp_path / "docs"]) == [a]


@pytest.mark.parametrize("kind", ["pdf", "docx", "html", "txt"])
def test_damaged_files_give_a_document_or_a_reason_never_a_crash(tmp_path: Path, kind: str) -> None:
    base = {
        "pdf": make_pdf(["Xuzhou High-tech Zone", "徐州高新区入驻华为"], title="Zone"),
        "docx": make_docx(),
        "html": PAGE.format(charset="utf-8").encode("utf-8"),
        "txt": XUZHOU.encode("gbk"),
    }[kind]
    outcomes = set()
    for seed in range(60):
        rnd = random.Random(seed)
        data = bytearray(base)
        for _ in range(rnd.randint(1, 12)):  # overwrite, cut out or insert a few bytes
            if not data:
                break
            i = rnd.randrange(len(data))
            action = rnd.random()
            if action < 0.6:
                data[i] = rnd.randrange(256)
            elif action < 0.8:
                del data[i : i + rnd.randint(1, 40)]
            else:
                data[i:i] = rnd.randbytes(rnd.randint(1, 16))
        path = write(tmp_path, f"damaged_{seed}.{kind}", bytes(data))
        try:
            document = read_document(path)
        except UnreadableFile as e:
            assert e.reason and "\n" not in e.reason
            outcomes.add("reason")
        else:
            assert document.text.strip()
            outcomes.add("document")
    assert "reason" in outcomes  # the damage was real for some of them


# --- titles: the document's own, never page furniture ------------------------------------------------

# The openings of the corpus documents whose first line used to be taken for their title.
READER_APP = (
    "购买\n下载掌阅APP,畅读海量书库\n立即打开\n畅读海量书库\n扫码下载掌阅APP\n\n"
    "第四节\n实施创新驱动发展战略的地方实践\n\n一、济南市\n"
)
LETTERHEAD_TITLE = (
    "中共徐州市委 徐州市人民政府 关于实施创新驱动发展战略 深入推进区域性 产业科技创新中心建设的工作意见"
)
NOTICE = "关于受理2017年东莞市第二批专利申请资助项目申报的通知"
NEWSPAPER = (
    "\n\nINNOVATION 创新园区\n\n科技部火炬中心合办\n\n2020.1.13 星期一\n\n中国高新技术产业导报 5\n\n"
    "■ 编辑:叶伟 (010)68667266 E-mail:louxy@chih.org ■ 组版:王新明\n\n"
    "打造四大产业集聚区 建设一流生态科技新城\n\n济宁高新区精描细绘 2020 年发展蓝图\n"
)
LETTERHEAD = (
    "\n\n中共徐州市委文件\n\n徐委发〔2018〕20号\n\n"
    f"{LETTERHEAD_TITLE}\n\n"
    "(2018年4月18日)\n\n习近平总书记亲临徐州进行十九大后首次地方视察。\n"
)
CHANNEL = (
    "技联在线·新闻速递\n\n报道最新产学研动态、政策、成效\n\n"
    "中共扬州市委 扬州市人民政府印发《关于加快推进新兴科创名城建设的工作意见》的通知\n\n"
    "发布日期:2018-11-23 消息来源:扬州市科技局\n"
)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (READER_APP, "实施创新驱动发展战略的地方实践"),
        (NEWSPAPER, "打造四大产业集聚区 建设一流生态科技新城"),
        (LETTERHEAD, LETTERHEAD_TITLE),
        (CHANNEL, "中共扬州市委 扬州市人民政府印发《关于加快推进新兴科创名城建设的工作意见》的通知"),
        ("《扬州市科技创新报告》\n\n第一段。\n", "扬州市科技创新报告"),
        ("导读\n\n# 徐州高新区 年度报告\n\n正文。\n", "徐州高新区 年度报告"),
        ("原标题：下一个破万亿的区\n来源：新浪财经\n", "下一个破万亿的区"),
        ("---\ntitle: '打造区域协同科创共同体'\nauthor: 新浪财经\n---\n\n正文\n", "打造区域协同科创共同体"),
        (XUZHOU, "徐州高新区简介"),
    ],
)
def test_a_text_is_titled_by_its_own_title_line(text: str, title: str) -> None:
    assert text_title(text) == title


def test_a_title_line_must_be_near_the_top_and_no_sentence() -> None:
    body = "徐州市概况\n\n" + "".join(f"第{i}行内容。\n" for i in range(30)) + "《关于加快发展的意见》\n"
    assert text_title(body) == "徐州市概况"
    quoted = "会议纪要\n\n会议学习了《关于深化科技体制机制改革的实施意见》，并作部署。\n"
    assert text_title(quoted) == "会议纪要"


def test_the_files_that_gave_furniture_titles_now_give_their_own(tmp_path: Path) -> None:
    from graph.config import ROOT

    titles = {
        "003_da80483b1a4d3646.txt": "实施创新驱动发展战略的地方实践",
        "004_a6838521c3fbe44f.txt": "打造四大产业集聚区 建设一流生态科技新城",
    }
    for name, title in titles.items():
        assert read_document(ROOT / "data" / "corpus" / name).title == title


@pytest.mark.parametrize(
    ("title", "h1", "expected"),
    [
        ("东莞科星泰科技有限公司", NOTICE, NOTICE),
        ("火炬高新区签约12个项目_园区动态_厦门火炬高新区", "厦门火炬高新区", "火炬高新区签约12个项目"),
        ("苏州高新区投资120亿开展20个重点项目- 【阳光易购】", None, "苏州高新区投资120亿开展20个重点项目"),
        ("徐州软件园 - 新闻中心", "徐州软件园", "徐州软件园"),
        (None, "  江苏淮海科技城 简介 ", "江苏淮海科技城 简介"),
        (None, None, None),
    ],
)
def test_a_page_is_titled_by_its_h1_or_its_title_without_the_site(
    title: str | None, h1: str | None, expected: str | None
) -> None:
    assert html_title(title, h1) == expected


def test_an_html_page_with_an_h1_that_names_it(tmp_path: Path) -> None:
    page = (
        "<html><head><title>东莞科星泰科技有限公司</title></head><body><div class=menu>首页 新闻</div>"
        "<h1>关于受理专利申请资助项目申报的通知 </h1><p>各有关单位：</p></body></html>"
    )
    document = read_document(write(tmp_path, "n.html", page))
    assert document.title == "关于受理专利申请资助项目申报的通知"
