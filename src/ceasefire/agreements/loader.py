"""Read and check an agreement file: YAML, then the JSON Schema, then the semantic rules.

Every problem is reported with its file, line, path and field, all in one run; an
``Agreement`` is produced only when there are none. The canonical form of a document (its
parsed content, serialised per RFC 8785) is what versions are compared by, so reformatting a
file or reordering its keys does not make a new version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

import rfc8785
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from ceasefire.agreements.build import AgreementBuilder
from ceasefire.agreements.model import Agreement
from ceasefire.agreements.yamlmap import LocatedDocument, Path, load_located, render_path
from ceasefire.errors import InvalidInput, PayloadTooLarge, problem, worded_text
from ceasefire.i18n.markers import N_

FORMAT = "ceasefire-agreement/1"
MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest agreement file read (the shipped one has 20 KB): checked before it is read or
parsed, since PyYAML's composer takes seconds per megabyte and every position a node."""
SCHEMA_RESOURCE = "agreement.schema.json"


@cache
def agreement_schema() -> dict[str, Any]:
    """The JSON Schema of agreement files, shipped in this package."""
    text = resources.files("ceasefire.agreements").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(agreement_schema())


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong with an agreement file, and where."""

    file: str
    line: int | None
    path: Path
    message: str

    @property
    def location(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where} {render_path(self.path)}"

    def to_problem(self) -> dict[str, Any]:
        """The ``InvalidInput.details`` entry for this problem."""
        field_name = next((p for p in reversed(self.path) if isinstance(p, str)), None)
        return problem(
            self.location,
            self.message,
            extra={
                "file": self.file,
                "line": self.line,
                "path": render_path(self.path),
                "field": field_name,
            },
        )


@dataclass
class CheckedDocument:
    """The outcome of checking one agreement file."""

    file: str
    data: Any
    problems: list[FileProblem] = field(default_factory=list)
    agreement: Agreement | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.agreement is not None

    @property
    def content_sha256(self) -> str:
        return content_hash(self.data)

    def raise_if_invalid(self) -> Agreement:
        """The agreement, or ``InvalidInput`` listing every problem."""
        if self.problems or self.agreement is None:
            count = len(self.problems)
            raise InvalidInput.worded(
                N_("%(file)s: %(count)s problem in the agreement file")
                if count == 1
                else N_("%(file)s: %(count)s problems in the agreement file"),
                details=[p.to_problem() for p in self.problems],
                file=self.file,
                count=count,
            )
        return self.agreement


def content_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON (RFC 8785) of a parsed document."""
    return hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def _too_large(file: str) -> PayloadTooLarge:
    return PayloadTooLarge.worded(
        N_("%(file)s: the agreement file is larger than %(limit)s bytes"),
        details=[problem(file, N_("too large"))],
        file=file,
        limit=MAX_FILE_BYTES,
    )


def check_text(text: str, file: str = "<agreement>") -> CheckedDocument:
    """Check agreement file content; ``file`` names it in the problems.

    Larger than :data:`MAX_FILE_BYTES` → ``PayloadTooLarge`` (413), before it is parsed."""
    # A character is at least one byte in UTF-8: count bytes only where it could matter.
    if len(text) > MAX_FILE_BYTES // 4 and len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise _too_large(file)
    located = load_located(text)
    result = CheckedDocument(file=file, data=located.data)
    for path, line, message in located.problems:
        result.problems.append(FileProblem(file, line, path, message))
    if located.data is None:
        if not result.problems:
            result.problems.append(FileProblem(file, 1, (), worded_text(N_("the file is empty"))))
        return result
    return _check_data(result, located)


def check_data(data: Any, file: str = "<stored>") -> CheckedDocument:
    """Check an already parsed document (e.g. a stored version); no line numbers."""
    return _check_data(CheckedDocument(file=file, data=data), LocatedDocument(data=data))


def _check_data(result: CheckedDocument, located: LocatedDocument) -> CheckedDocument:
    data = located.data
    schema_paths: set[Path] = set()
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        path: Path = tuple(error.absolute_path)
        schema_paths.add(path)
        result.problems.append(
            FileProblem(result.file, located.line_of(path), path, _schema_message(error))
        )
    if not isinstance(data, dict):
        return result
    if data.get("format") not in (None, FORMAT) and () not in schema_paths:
        return result

    def report(path: Path, message: str) -> None:
        # The schema already said what is wrong with this value; do not say it twice.
        if path in schema_paths:
            return
        result.problems.append(FileProblem(result.file, located.line_of(path), path, message))

    agreement = AgreementBuilder(data, report, schema_ok=not schema_paths).build()
    result.problems.sort(key=lambda p: (p.line or 0, render_path(p.path)))
    if not result.problems:
        result.agreement = agreement
    return result


_SCHEMA_MESSAGES: dict[str, str] = {
    "type": N_("%(value)s is not of type %(expected)s"),
    "enum": N_("%(value)s is not one of %(expected)s"),
    "const": N_("%(expected)s was expected"),
    "pattern": N_("%(value)s does not match %(expected)s"),
    "format": N_("%(value)s is not a %(expected)s"),
    "minimum": N_("%(value)s is less than the minimum of %(expected)s"),
    "uniqueItems": N_("%(value)s has non-unique elements"),
    "anyOf": N_("%(value)s is not valid under any of the given schemas"),
}
"""jsonschema's English for each check the agreement schema makes, as a catalogue msgid
(``value``: the value refused, ``expected``: what the schema asks for, both as jsonschema
shows them): the same English, and the reader's language on a page or in the CLI."""


def _schema_message(error: Any) -> str:
    if error.validator == "oneOf" and error.context:
        # "is not valid under any of the given schemas" says little: report the branch the
        # value's type chose (a type mismatch means the value was meant for another branch).
        chosen = [e for e in error.context if e.validator != "type"] or list(error.context)
        return _schema_message(chosen[0])
    value, expected = repr(error.instance), error.validator_value
    if error.validator == "required":
        missing = [name for name in expected if name not in error.instance]
        return worded_text(N_("%(name)s is a required property"), name=repr(missing[0]))
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = ", ".join(repr(name) for name in error.instance if name not in known)
        return worded_text(N_("unknown field: %(names)s"), names=extra)
    if error.validator in ("minLength", "minItems"):
        if expected == 1:
            return worded_text(N_("%(value)s should be non-empty"), value=value)
        return worded_text(N_("%(value)s is too short"), value=value)
    msgid = _SCHEMA_MESSAGES.get(error.validator)
    if msgid is None:
        return str(error.message)
    if error.validator == "type":
        types = [expected] if isinstance(expected, str) else expected
        return worded_text(msgid, value=value, expected=", ".join(repr(t) for t in types))
    return worded_text(msgid, value=value, expected=repr(expected))


def check_file(path: str | FilePath) -> CheckedDocument:
    """Read and check the agreement file at ``path``."""
    file_path = FilePath(path)
    try:
        with file_path.open("rb") as handle:
            # One byte past the bound says it is too large, whatever the file (a pipe, a
            # growing file) claims its size is.
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise _too_large(str(file_path))
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.worded(
            N_("cannot read agreement file %(file_path)s: %(error)s"),
            details=[problem(str(file_path), N_("cannot read: %(exc)s"), exc=exc)],
            file_path=file_path,
            error=exc,
        ) from exc
    return check_text(text, file=str(file_path))
