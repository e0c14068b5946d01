"""Reading an upload's multipart body as it streams in, within a byte limit, after the key check.

FastAPI's ``UploadFile`` parses (and spools to disk) the whole body before any dependency runs, so a huge
body would be stored before the key check could refuse it. Here the route checks the key first, then reads
the body chunk by chunk, counting, and stops with a 413 as soon as the limit is passed: nothing beyond it is
kept, in memory or on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException, Request, status
from python_multipart.multipart import MultipartParser, parse_options_header

# Room for the multipart framing and the small form fields around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
_MAX_FIELD_BYTES = 4096


@dataclass
class Upload:
    """The file part of a form (its name as the client sent it, folders included) and the text fields."""

    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    fields: dict[str, str] = field(default_factory=dict)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"the upload is larger than the {limit} byte limit: split it or raise INNOGRAPH_MAX_UPLOAD_BYTES",
    )


def _bad(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


async def read_upload(request: Request, *, limit: int) -> Upload:
    """The form of a ``multipart/form-data`` request whose ``file`` part is at most `limit` bytes.

    Raises 413 once more than that arrives (at once when Content-Length says so), 400 for a body that is no
    such form.
    """
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _bad("send the document as multipart/form-data with a 'file' field")
    body_limit = limit + FORM_OVERHEAD_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > body_limit:
        raise _too_large(limit)

    upload = Upload()
    part: dict[str, object] = {}
    header_field = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}
    errors: list[HTTPException] = []

    def on_part_begin() -> None:
        headers.clear()
        part.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(headers.get(b"content-disposition"))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        part["name"] = name
        part["value"] = bytearray()
        if filename is not None:
            if name != "file" or upload.filename is not None:
                errors.append(_bad("send one file, in the form field 'file'"))
            upload.filename = filename.decode("utf-8", "replace")
            part["value"] = upload.data

    def on_part_data(data: bytes, start: int, end: int) -> None:
        value = part.get("value")
        if not isinstance(value, bytearray):
            return
        value.extend(data[start:end])
        if value is upload.data:
            if len(value) > limit:
                errors.append(_too_large(limit))
        elif len(value) > _MAX_FIELD_BYTES:
            errors.append(
                _bad(f"the form field {part.get('name')!r} is longer than {_MAX_FIELD_BYTES} bytes")
            )

    def on_part_end() -> None:
        value = part.get("value")
        if isinstance(value, bytearray) and value is not upload.data:
            upload.fields[str(part.get("name"))] = value.decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > body_limit:
            raise _too_large(limit)
        try:
            parser.write(chunk)
        except Exception as e:  # python-multipart's parse errors, worded for the client
            raise _bad(f"the multipart form cannot be read: {e}") from e
        if errors:
            raise errors[0]
    try:
        parser.finalize()
    except Exception as e:
        raise _bad(f"the multipart form cannot be read: {e}") from e
    if errors:
        raise errors[0]
    if upload.filename is None:
        raise _bad("send the document in the form field 'file'")
    return upload
