"""An attachment's media type, read from its first bytes rather than taken from the uploader.

The type an uploader declares is what other members' staff see on the report, in the API and
in the ledger entry; it used to be stored as given, so a liaison could present a Windows
executable or an HTML page as ``image/jpeg``. Now the file's own signature (its "magic"
bytes, a small table of the types evidence comes in) decides:

- a known signature gives the type stored (the declared one is kept only when it names the
  same kind of file: ``image/jpg`` for a JPEG, a ``.docx`` type for a ZIP, ``video/quicktime``
  for an ISO media file);
- text without a signature (UTF-8, no control characters) keeps a declared text type
  (``text/csv``, ``application/json``…), else it is ``text/plain``;
- anything else is ``application/octet-stream``: a type we cannot check is not shown.

A declared type the content contradicts is a :class:`TypeMismatch` (the service refuses it,
naming both): the API and the CLI declare a type on purpose. A browser's form guesses the
type from the file name, so the web form declares none and the content alone decides.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ceasefire.i18n.markers import N_

HEAD_BYTES = 4096
"""How much of the file's start the signature and text checks read."""

OCTET_STREAM = "application/octet-stream"
_GENERIC = frozenset({"", OCTET_STREAM, "binary/octet-stream", "application/unknown"})

# Types whose content is one kind of container: each is accepted as a declaration for it.
_ZIP = (
    "application/zip",
    "application/x-zip-compressed",
    "application/epub+zip",
    "application/vnd.google-earth.kmz",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)
_OLE = (
    "application/x-ole-storage",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-outlook",
)
_ISO_MEDIA = (
    "video/mp4",
    "video/quicktime",
    "video/3gpp",
    "video/3gpp2",
    "audio/mp4",
    "audio/x-m4a",
    "image/heic",
    "image/heif",
    "image/avif",
)
_XML = (
    "application/xml",
    "text/xml",
    "image/svg+xml",
    "application/gpx+xml",
    "application/vnd.google-earth.kml+xml",
)
_TEXT = ("text/", "application/json", "application/geo+json", "application/x-ndjson")


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of file: the type stored when nothing more precise is declared, and the
    declared types (exact, or prefixes ending in ``.``) that name it."""

    media_type: str
    names: tuple[str, ...] = ()

    def accepts(self, declared: str) -> bool:
        return declared == self.media_type or any(
            declared == name or (name.endswith(".") and declared.startswith(name))
            for name in self.names
        )


JPEG = Kind("image/jpeg", ("image/jpg", "image/pjpeg"))
PNG = Kind("image/png")
GIF = Kind("image/gif")
WEBP = Kind("image/webp")
TIFF = Kind("image/tiff", ("image/x-adobe-dng", "image/x-canon-cr2", "image/x-nikon-nef"))
PDF = Kind("application/pdf", ("application/x-pdf",))
ZIP = Kind("application/zip", _ZIP)
OLE = Kind("application/x-ole-storage", _OLE)
WAV = Kind("audio/wav", ("audio/x-wav", "audio/wave", "audio/vnd.wave"))
AVI = Kind("video/x-msvideo", ("video/avi",))
MATROSKA = Kind("video/x-matroska", ("video/webm", "audio/webm", "audio/x-matroska"))
OGG = Kind("application/ogg", ("audio/ogg", "video/ogg", "audio/opus"))
MP3 = Kind("audio/mpeg", ("audio/mp3",))
FLAC = Kind("audio/flac", ("audio/x-flac",))
GZIP = Kind("application/gzip", ("application/x-gzip",))
SEVEN_ZIP = Kind("application/x-7z-compressed")
RAR = Kind("application/vnd.rar", ("application/x-rar-compressed",))
EXE = Kind(
    "application/x-msdownload",
    ("application/x-dosexec", "application/vnd.microsoft.portable-executable"),
)
ELF = Kind("application/x-executable", ("application/x-elf", "application/x-sharedlib"))
HTML = Kind("text/html", ("application/xhtml+xml",))
XML = Kind("application/xml", _XML)

_SIGNATURES: tuple[tuple[int, bytes, Kind], ...] = (
    (0, b"\xff\xd8\xff", JPEG),
    (0, b"\x89PNG\r\n\x1a\n", PNG),
    (0, b"GIF87a", GIF),
    (0, b"GIF89a", GIF),
    (0, b"II*\x00", TIFF),
    (0, b"MM\x00*", TIFF),
    (0, b"%PDF-", PDF),
    (0, b"PK\x03\x04", ZIP),
    (0, b"PK\x05\x06", ZIP),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (0, b"\x1aE\xdf\xa3", MATROSKA),
    (0, b"OggS", OGG),
    (0, b"ID3", MP3),
    (0, b"fLaC", FLAC),
    (0, b"\x1f\x8b", GZIP),
    (0, b"7z\xbc\xaf'\x1c", SEVEN_ZIP),
    (0, b"Rar!\x1a\x07", RAR),
    (0, b"MZ", EXE),
    (0, b"\x7fELF", ELF),
)
_SHORT = (EXE, MP3)
_RIFF = {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}
_ISO_BRANDS = {b"qt  ": "video/quicktime", b"3gp": "video/3gpp", b"M4A ": "audio/mp4"}
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1")
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(!doctype\s+html|html|\?xml)", re.I)
# C0 controls but tab, line feed, form feed and carriage return, and DEL: not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


MISMATCH = N_("the file is %(detected)s, not %(declared)s as declared")
"""The refusal of a declaration the content contradicts (its parameters are media types)."""


class TypeMismatch(ValueError):
    """The declared type names another kind of file than the content is."""

    def __init__(self, declared: str, detected: str) -> None:
        super().__init__(f"declared {declared}, content is {detected}")
        self.declared = declared
        self.detected = detected


def normalised(media_type: str | None) -> str:
    """``Image/JPEG; charset=x`` as ``image/jpeg``; ``""`` for none."""
    return (media_type or "").split(";", 1)[0].strip().lower()


def _signature(head: bytes) -> Kind | None:
    for offset, magic, kind in _SIGNATURES:
        if head.startswith(magic, offset):
            # "MZ" and "ID3" also start plain text (a CSV of "MZ-2" rows): binary only.
            if kind in _SHORT and _is_text(head):
                return None
            return kind
    if head.startswith(b"RIFF") and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return Kind("image/heic", _ISO_MEDIA)
        if brand == b"avif":
            return Kind("image/avif", _ISO_MEDIA)
        named = next((t for b, t in _ISO_BRANDS.items() if brand.startswith(b)), "video/mp4")
        return Kind(named, _ISO_MEDIA)
    markup = _MARKUP.match(head)
    if markup:
        return XML if markup.group(1) == b"?xml" else HTML
    return None


def _is_text(head: bytes) -> bool:
    """UTF-8 without control characters (a character cut at the end of ``head`` is fine)."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


def _is_known(declared: str) -> bool:
    kinds = [kind for _, _, kind in _SIGNATURES] + [*_RIFF.values(), HTML, XML]
    return declared in _ISO_MEDIA or any(kind.accepts(declared) for kind in kinds)


def detected_type(head: bytes, declared: str | None = None) -> str:
    """The media type to store for a file starting with ``head`` (its first
    :data:`HEAD_BYTES`), ``declared`` by the uploader or not; :class:`TypeMismatch` when the
    content contradicts the declaration."""
    claim = normalised(declared)
    generic = claim in _GENERIC
    kind = _signature(head)
    if kind is not None:
        if generic or claim == kind.media_type:
            return kind.media_type
        if kind.accepts(claim):
            return claim
        raise TypeMismatch(claim, kind.media_type)
    if _is_text(head):
        if generic:
            return "text/plain"
        if claim.startswith(_TEXT) or claim in _XML or HTML.accepts(claim):
            return claim
        raise TypeMismatch(claim, "text/plain")
    if generic or not (claim.startswith(_TEXT) or _is_known(claim)):
        # A binary type we have no signature for (a camera's raw format, a GIS file) is
        # stored as octets: the label could not be checked, so it is not shown.
        return OCTET_STREAM
    raise TypeMismatch(claim, OCTET_STREAM)
