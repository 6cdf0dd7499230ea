"""An attachment's type from its first bytes (``reports.mediatypes``): what a declaration may
refine, what it may not claim, and the text that merely looks like a signature."""

from __future__ import annotations

import pytest

from ceasefire.reports.mediatypes import OCTET_STREAM, TypeMismatch, detected_type

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("head", "declared", "stored"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, "image/jpeg"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "Image/JPG; q=1", "image/jpg"),  # an alias kept
        (b"PK\x03\x04\x14\x00", DOCX, DOCX),  # a .docx is a ZIP
        (b"\x00\x00\x00\x18ftypqt  ", "video/mp4", "video/mp4"),  # one ISO media family
        (b"\x00\x00\x00\x18ftypheic", None, "image/heic"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None, "audio/wav"),
        (b"MZ-2,AZE,shelling\n", "text/csv", "text/csv"),  # text, not an executable
        ("lat;доклад\n".encode(), None, "text/plain"),
        (bytes(range(1, 64)), "application/x-raw-camera", OCTET_STREAM),  # unchecked: octets
    ],
)
def test_the_content_decides_and_a_declaration_may_only_refine_it(
    head: bytes, declared: str | None, stored: str
) -> None:
    assert detected_type(head, declared) == stored


@pytest.mark.parametrize(
    ("head", "declared", "detected"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf", "application/x-msdownload"),
        (b"  <!doctype html><p>x", "image/png", "text/html"),
        (b"%PDF-1.7\n", "text/plain", "application/pdf"),
        (b"plain words", "image/jpeg", "text/plain"),
        (bytes(range(1, 64)), "text/csv", OCTET_STREAM),
    ],
)
def test_a_declaration_the_content_contradicts_is_refused(
    head: bytes, declared: str, detected: str
) -> None:
    with pytest.raises(TypeMismatch) as refused:
        detected_type(head, declared)
    assert (refused.value.declared, refused.value.detected) == (declared, detected)
