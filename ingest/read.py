"""Read files into `Document`s: plain text, Markdown, HTML, PDF and DOCX.

The text is decoded and laid out in lines but otherwise left as it is: cleaning is the
extraction's job, and every evidence offset points into `Document.text`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from graph.errors import BadInput
from graph.model import Document, content_id
from ingest.clean import rule_lines

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
# What a .docx may unpack to: its XML is parsed whole, so a small zip of highly compressed XML (a "zip bomb")
# would otherwise cost minutes of CPU and gigabytes of memory before a line of text came out.
MAX_DOCX_UNPACKED_BYTES = 32 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

# GB18030 is a superset of GB2312 and GBK: decoding with it reads all three, and more.
_CHINESE_ENCODINGS = frozenset({"gb2312", "gbk", "gb18030", "hz"})
_TITLE_MAX_CHARS = 200
_HEADER_CHARS = 1000  # a document's date, when it has one, is stated near its top
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class UnreadableFile(BadInput):
    """A file that cannot be read into a document; `reason` says why in one line."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the two-argument constructor working when the error crosses a process boundary.
        return (type(self), (self.path, self.reason))


def read_document(path: Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a Document whose id is the sha256 of its bytes.

    Raises UnreadableFile with a one-line reason for anything that yields no usable text.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableFile(
            path, f"unsupported file type {suffix or '(no extension)'!r}; use one of {kinds}"
        )
    data = _read_bytes(path, max_bytes=max_bytes)
    if suffix in HTML_SUFFIXES:
        text, title = _html_text(path, data)
    elif suffix == ".pdf":
        text, title = _pdf_text(path, data)
    elif suffix == ".docx":
        text, title = _docx_text(path, data)
    else:
        text, title = decode_text(path, data), None
    if not any(ch.isalnum() for ch in text):
        raise UnreadableFile(path, "no readable text in it (only whitespace, punctuation or symbols)")
    return Document(
        id=content_id(data),
        source=str(path),
        title=_clean_title(title) or text_title(text),
        date=find_date(text[:_HEADER_CHARS]),
        text=text,
    )


def iter_paths(paths: Iterable[Path]) -> list[Path]:
    """The files named, with folders expanded recursively (hidden entries skipped), sorted and unique.

    Raises BadInput for a path that does not exist.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(_walk(path))
        elif path.exists():
            found.add(path)
        else:
            raise BadInput(f"{path}: no such file or folder; check the path")
    return sorted(found, key=str)


def _walk(folder: Path) -> Iterator[Path]:
    for child in folder.iterdir():
        # "~$name.docx" are Word's lock files: hidden in spirit, never documents.
        if child.name.startswith((".", "~$")):
            continue
        if child.is_dir():
            if not child.is_symlink():  # a linked folder may link back up: a cycle
                yield from _walk(child)
        elif child.is_file():
            yield child


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnreadableFile(path, "is a folder, not a file")
        if size == 0:
            raise UnreadableFile(path, "empty file")
        if size > max_bytes:
            # Checked before reading, so a huge file is reported without being loaded.
            raise UnreadableFile(path, _too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableFile(path, f"cannot open: {e.strerror or e}") from e
    if not data:
        raise UnreadableFile(path, "empty file")
    if len(data) > max_bytes:  # it grew since stat
        raise UnreadableFile(path, _too_large(len(data), max_bytes))
    return data


def _too_large(size: int, limit: int) -> str:
    def mib(n: int) -> str:
        return f"{n / 1024 / 1024:.1f} MiB"

    return f"too large: {mib(size)} > the limit of {mib(limit)}; split it or raise INNOGRAPH_MAX_UPLOAD_BYTES"


def decode_text(path: Path, data: bytes) -> str:
    """Bytes of a text file as str with \\n line endings: strict UTF-8 first, then detection."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _check_text(path, normalise_newlines(data.decode(encoding)))
            except UnicodeDecodeError as e:
                raise UnreadableFile(
                    path, f"starts with a {encoding} byte-order mark but is not {encoding}"
                ) from e
    if b"\x00" in data:
        raise UnreadableFile(path, "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _mostly_utf8(data) or _detect_and_decode(path, data)
    return _check_text(path, normalise_newlines(text))


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with its few broken sequences as U+FFFD, when under 1% of the non-ASCII characters are broken.

    Scraped pages often carry a stray bad byte; guessing another encoding for them would garble all the
    rest. Another encoding's text (GBK, Big5, cp1252) read as UTF-8 breaks nearly every non-ASCII character.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return text if broken * 100 <= non_ascii else None


def _detect_and_decode(path: Path, data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise UnreadableFile(path, "binary file (no text encoding fits it), not text")
    best = matches[0]
    # Short Chinese texts fit several CJK encodings equally well (GBK bytes also read as
    # Korean cp949 or Big5); on such a tie the mainland encoding wins, as these are Chinese documents.
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence]
    encoding = best.encoding
    if any(m.encoding in _CHINESE_ENCODINGS for m in tied):
        encoding = "gb18030"
    if encoding in _CHINESE_ENCODINGS:
        encoding = "gb18030"
    logger.debug("%s: not UTF-8, decoded as %s", path, encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return str(best)


def _check_text(path: Path, text: str) -> str:
    # Control characters other than layout ones mean the bytes were not text after all.
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(2, len(text) // 100):
        raise UnreadableFile(path, "binary file (control characters throughout), not text")
    return text


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- HTML -------------------------------------------------------------------------------------------

_DROP_TAGS = "script, style, nav, noscript, template, iframe, svg, head"
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n][ \t\r\n]*(?=[{_CJK}])")
# A table cell longer than this is a layout table's (a page laid out in a table), not a data cell.
_CELL_MAX_LINES = 3
_CELL_MAX_CHARS = 200
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _html_text(path: Path, data: bytes) -> tuple[str, str | None]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode_html(path, data))
    title_node, h1_node = tree.css_first("title"), tree.css_first("h1")
    title = html_title(
        title_node.text() if title_node is not None else None, h1_node.text() if h1_node is not None else None
    )
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    root = tree.body or tree.root
    text = _html_lines(root) if root is not None else ""
    return text, title


def _decode_html(path: Path, data: bytes) -> str:
    # A page's own charset declaration beats guessing, but only when the bytes agree with it.
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in _CHINESE_ENCODINGS else name
        try:
            return _check_text(path, normalise_newlines(data.decode(name)))
        except (UnicodeDecodeError, LookupError):
            logger.debug("%s: declares charset %s but does not decode with it", path, name)
    return decode_text(path, data)


def _html_lines(root: Any) -> str:
    """Visible text of an element tree: block elements and <br> end lines, inline runs of space collapse."""
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        # A source line break between two ideographs is no space (CSS drops it too), elsewhere it is one.
        line = _SPACES.sub(" ", _CJK_BREAK.sub("", "".join(current))).strip()
        if line:
            lines.append(line)
        current.clear()

    # An explicit stack rather than recursion: real pages nest deeper than Python's recursion limit.
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            end_line()
            continue
        tag = node.tag
        if tag == "-text":
            current.append(node.text_content or "")
            continue
        if tag == "pre":
            end_line()
            lines.extend(
                line.rstrip() for line in normalise_newlines(node.text(deep=True)).split("\n") if line.strip()
            )
            continue
        if tag.startswith("-"):  # comments, doctype
            continue
        if tag == "tr" and (row := table_row(node)) is not None:
            end_line()
            if row.strip("\t"):
                lines.append(row)
            continue
        block = tag in _BLOCK_TAGS
        if block:
            end_line()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    end_line()
    return "\n".join(lines)


def table_row(tr: Any) -> str | None:
    """A data table's row as one line, its cells separated by tabs (as ingest.targets reads tables), or None
    for a layout table's row, whose cells hold paragraphs or tables of their own and stay lines apart."""
    cells: list[str] = []
    for cell in tr.iter():
        if cell.tag not in ("td", "th"):
            continue
        if cell.css_first("table") is not None:
            return None
        lines = _html_lines(cell).split("\n")
        text = " ".join(lines)
        if len(lines) > _CELL_MAX_LINES or len(text) > _CELL_MAX_CHARS:
            return None
        cells.append(text)
    return "\t".join(cells) if cells else None


# --- PDF --------------------------------------------------------------------------------------------


def _pdf_text(path: Path, data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile(path, "not a PDF (no %PDF- header)")
    # A complete PDF ends with %%EOF within its last 1024 bytes (the rule PDF readers apply);
    # without it pypdf may "recover" a fragment and we would store half a document.
    if b"%%EOF" not in data[-1024:]:
        raise UnreadableFile(path, "truncated PDF (no %%EOF end marker); get a complete copy")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(path, "encrypted PDF; save an unprotected copy")
        pages = [normalise_newlines(page.extract_text() or "").strip("\n") for page in reader.pages]
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except UnreadableFile:
        raise
    except FileNotDecryptedError as e:
        raise UnreadableFile(path, "encrypted PDF; save an unprotected copy") from e
    except Exception as e:
        # pypdf reports a damaged file through its own errors but also through key, value, struct, zlib
        # or recursion errors, depending on where it breaks.
        kind = "" if isinstance(e, PyPdfError) else f"{type(e).__name__}: "
        raise UnreadableFile(path, f"corrupt or truncated PDF ({kind}{_one_line(e)})") from e
    if not pages:
        raise UnreadableFile(path, "PDF has no pages")
    text = "\n\n".join(page for page in pages if page.strip())
    if not text.strip():
        raise UnreadableFile(path, "PDF has no text layer (scanned images?); it needs OCR first")
    return text, title if isinstance(title, str) else None


# --- DOCX -------------------------------------------------------------------------------------------


def _docx_text(path: Path, data: bytes) -> tuple[str, str | None]:
    import docx

    check_docx_size(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_blocks(document.iter_inner_content()))
        title = document.core_properties.title
    except Exception as e:
        # python-docx surfaces a damaged package as zip, XML, key or value errors alike.
        raise UnreadableFile(path, f"corrupt or truncated DOCX ({_one_line(e)})") from e
    return normalise_newlines("\n".join(lines)), title or None


def _docx_blocks(blocks: Iterable[Any]) -> Iterator[str]:
    """Paragraphs as lines and table rows as tab-separated cells, in document order."""
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                previous = None
                for cell in row.cells:
                    # A merged cell is repeated once per grid column it spans.
                    if previous is not None and cell._tc is previous._tc:
                        continue
                    previous = cell
                    cells.append(" ".join(_docx_blocks(cell.iter_inner_content())).strip())
                if any(cells):
                    yield "\t".join(cells)
        else:
            yield block.text


def check_docx_size(path: Path, data: bytes, *, limit: int = MAX_DOCX_UNPACKED_BYTES) -> None:
    """Raise UnreadableFile when the .docx's zip members declare more than `limit` bytes unpacked.

    Checked on the zip's directory before anything is inflated; zipfile never inflates a member past its
    declared size, so a member that lies about it cannot unpack to more.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFile(path, f"corrupt or truncated DOCX ({_one_line(e)})") from e
    if unpacked > limit:
        mib = 1024 * 1024
        raise UnreadableFile(
            path,
            f"DOCX unpacks to {unpacked / mib:.1f} MiB, over the limit of {limit / mib:.0f} MiB "
            "(so much XML in so small a file is refused as a zip bomb); save it as smaller files or as text",
        )


def _one_line(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message[:160]


# --- title and date ---------------------------------------------------------------------------------


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split())
    return title[:_TITLE_MAX_CHARS] if any(ch.isalnum() for ch in title) else None


# A document's own title line near its top: an official document's (关于…的意见/通知…) or a 《》 title.
_DOC_KINDS = "意见|通知|决定|办法|方案|规划|通报|批复|细则|规定|措施|纲要|计划|报告|条例|公告|函"
_OFFICIAL_TITLE = re.compile(
    rf"^《[^《》]{{4,}}》$|关于.{{2,}}(?:{_DOC_KINDS})$|《[^《》]{{4,}}》的?(?:{_DOC_KINDS})$"
)
# A YAML front matter's title, on its own line or (in HTML, whose text runs together) followed by more keys.
_FRONT_MATTER = re.compile(r"""\A\s*---\s+title:[ \t]*(?:'([^'\n]+)'|"([^"\n]+)"|([^\n]+))""")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_SENTENCE_MARKS = re.compile(r"[。，；！？]")
_ORIGINAL_TITLE = re.compile(r"^原标题[:：]\s*")
# A <title>'s site name after the page's own title: 标题_栏目_网站, 标题 - 网站, 标题- 【网站】.
_SITE_SUFFIX = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s+|-\s*(?=【)")
_TITLE_HEADER_LINES = 20
_TITLE_LINE_MAX = 120


@cache
def _title_furniture() -> tuple[re.Pattern[str], ...]:
    """Lines never taken for a title: page furniture (furniture.txt) and title_furniture.txt."""
    return tuple(
        re.compile(p.strip()) for p in (*rule_lines("furniture.txt"), *rule_lines("title_furniture.txt"))
    )


def _is_title_furniture(line: str) -> bool:
    return any(p.search(line) for p in _title_furniture())


def _meaningful(line: str) -> bool:
    return sum(ch.isalnum() for ch in line) >= 4 and not _DATE_ONLY.fullmatch(line)


def html_title(title: str | None, h1: str | None) -> str | None:
    """A page's title: its <h1> when that names the page (it is in the <title>, reads as a document's title,
    or there is no <title>), else the <title> without the site's name after it."""
    title, h1 = _clean_title(title), _clean_title(h1)
    own = None  # the <title> without the site's name; a site's logo in an <h1> is only in that name
    if title:
        first = _SITE_SUFFIX.split(title)[0]
        own = first if sum(ch.isalnum() for ch in first) >= 4 else title
    if h1 and not _is_title_furniture(h1) and (not own or h1 in own or _OFFICIAL_TITLE.search(h1)):
        return h1
    return own or h1


def text_title(text: str) -> str | None:
    """The title a text gives itself: a front-matter ``title:``, else the first Markdown heading near the top,
    else an official document's title line or a 《》 title there, else its first meaningful line that is no
    page furniture (app menus, banners, bylines; data/rules/title_furniture.txt)."""
    front = _front_matter_title(text)
    if front:
        return front[:_TITLE_MAX_CHARS]
    header = [line for raw in text.split("\n")[:200] if (line := " ".join(raw.split()))][:_TITLE_HEADER_LINES]
    for line in header:
        if m := _MARKDOWN_HEADING.match(line):
            return m.group(1)[:_TITLE_MAX_CHARS]
    for line in header:
        if len(line) <= _TITLE_LINE_MAX and not _SENTENCE_MARKS.search(line) and _OFFICIAL_TITLE.search(line):
            inner = line.strip()
            bare = inner[1:-1] if inner.startswith("《") and inner.endswith("》") else inner
            return bare[:_TITLE_MAX_CHARS]
    for line in header:
        line = _ORIGINAL_TITLE.sub("", line)
        if _meaningful(line) and not _is_title_furniture(line):
            return line[:_TITLE_MAX_CHARS]
    return first_meaningful_line(text)


def _front_matter_title(text: str) -> str | None:
    """``title:`` of a YAML front matter block (``---`` … ``---``) that opens the text."""
    m = _FRONT_MATTER.match(text)
    return _clean_title(next((g for g in m.groups() if g), None)) if m else None


def first_meaningful_line(text: str) -> str | None:
    """The first line with at least four letters, digits or ideographs that is not just a date."""
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if sum(ch.isalnum() for ch in line) >= 4 and not _DATE_ONLY.fullmatch(line):
            return line[:_TITLE_MAX_CHARS]
    return None


# cn2an reads 〇 and 零 as zero, not the white circle ○ that documents also write for it.
_CN_ZEROS = str.maketrans({"○": "〇"})
_CN_YEAR = "[〇○零一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"


def _chinese_int(s: str) -> int:
    """二〇一九 → 2019 (digit by digit), 十六 → 16, 二十 → 20; raises ValueError for what is no number."""
    import cn2an  # only dates written in Chinese numerals need it

    return int(cn2an.cn2an(s.translate(_CN_ZEROS), "normal"))


_DATE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[str], int]], ...] = (
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), int),
    (re.compile(rf"({_CN_YEAR})\s*年\s*({_CN_SMALL})\s*月\s*({_CN_SMALL})\s*日"), _chinese_int),
    (re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])"), int),
)
_DATE_ONLY = re.compile(
    r"[\s(（]*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[\s)）]*(星期.|周.)?"
)


def find_date(header: str) -> dt.date | None:
    """The first plausible calendar date written in a document's header, or None."""
    normalised = unicodedata.normalize("NFKC", header)  # full-width digits and punctuation
    found: list[tuple[int, dt.date]] = []
    for pattern, number in _DATE_PATTERNS:
        for match in pattern.finditer(normalised):
            try:
                year, month, day = (number(g) for g in match.groups())
                date = dt.date(year, month, day)
            except (ValueError, KeyError):
                continue
            if 1949 <= date.year <= 2100:
                found.append((match.start(), date))
                break
    return min(found)[1] if found else None
