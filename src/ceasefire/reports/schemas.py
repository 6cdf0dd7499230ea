"""The reports area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import available_timezones

from pydantic import BaseModel

from ceasefire.access import Classification
from ceasefire.reports import model
from ceasefire.reports.model import (
    Channel,
)


class AttachmentPublic(BaseModel):
    id: str
    report_id: str
    sha256: str
    size_bytes: int
    media_type: str
    filename: str | None
    received_at: datetime
    received_by: str


class ReportBase(BaseModel):
    """What a report says happened, where and when: the part every reader may see."""

    id: str
    received_at: datetime
    channel: Channel
    category: str
    classification: Classification
    concerns: list[str]
    observed: dict[str, Any]
    event_position: dict[str, Any]
    count: int | None
    weapon_class: str | None
    means: list[str]
    alleged_perpetrator: str | None
    casualties: dict[str, Any]
    confidence: str | None
    agreement_id: str | None


class ReportPublic(ReportBase):
    """A report as members see it: the source's content plus how and when it arrived."""

    owner_member: str
    submitted_by: str | None
    idempotency_key: str | None
    content_sha256: str | None
    """``null`` when the report names a post or sensor the reader may not read (withheld
    with them: the hash would confirm a guessed id)."""
    incident_id: str | None
    observer_position: dict[str, Any] | None
    distance_m: dict[str, Any] | None
    bearing_deg: float | None
    narrative: str | None
    source_reference: str | None
    reporter: str | None
    post_id: str | None
    sensor_id: str | None
    attachments: list[AttachmentPublic]


class ReportRedacted(ReportBase):
    """A public report: what happened, where and when; no observer position, no names."""

    incident_id: str | None = None
    """The incident that groups the report (fusion or an analyst), if any."""


class ReportPage(BaseModel):
    items: list[ReportPublic | ReportRedacted]
    next_cursor: str | None


class ImportPublic(BaseModel):
    file_sha256: str
    filename: str
    rows_total: int
    imported: int
    already_present: int
    rejected: int
    batches: int
    rejects_csv: str | None


# ------------------------------------------------------------- the body of POST /reports
#
# The document's schema of a report body is built from the validator's own tables
# (``model``: the fields, their enums and bounds, what each channel needs), so it cannot
# drift from what ``validate_report`` takes. What JSON Schema cannot say (a window in the
# past, min <= max, low <= best <= high, a distance needs observer_position, a
# civilian_casualty needs civilian casualties) is said in the descriptions; the validator
# refuses it with a 422 naming the field, as always.

_NULL = {"type": "null"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _NULL]}


NO_NUL = r"^[^\x00]*$"
"""A text holds no NUL character (nor a lone surrogate, which JSON Schema cannot name)."""


def _text_schema(limit: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "pattern": NO_NUL, **extra}


def _enum_schema(enum: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in enum]}


ISO_INSTANT = (
    r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)
"""ISO 8601 as the validator reads it (``datetime.fromisoformat``), in its usual forms."""


def _party_schema() -> dict[str, Any]:
    return {"type": "string", "pattern": model.PARTY_CODE.pattern}


def _position_schema() -> dict[str, Any]:
    point = {
        "required": ["lat", "lon"],
        "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
    }
    named = {
        "required": ["place_name", "precision"],
        "properties": {
            "lat": _NULL,
            "lon": _NULL,
            "place_name": {"type": "string", "pattern": r"\S"},
            "precision": {"type": "integer", "minimum": 2},
        },
    }
    return {
        "type": "object",
        "description": "A point (lat and lon, both or neither), or a place name with its"
        " UCDP where_prec (2-7; 1, exact, needs a point), or both.",
        "properties": {
            "lat": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
            "lon": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
            "place_name": _nullable(_text_schema(model.MAX_SHORT_TEXT)),
            "precision": _nullable({"type": "integer", "minimum": 1, "maximum": 7}),
        },
        "additionalProperties": False,
        "anyOf": [point, named],
    }


def _observed_schema() -> dict[str, Any]:
    """``observed``; its time zones are those ``zoneinfo`` (which the validator asks) knows."""
    return {
        "type": "object",
        "description": "When, in UTC unless an offset or timezone is given; neither end"
        " in the future; end >= start; the window no longer than its precision allows"
        " (exact: a day, day: two, week: eight, month: 32 days).",
        "properties": {
            "start": {"type": "string", "pattern": ISO_INSTANT},
            "end": _nullable({"type": "string", "pattern": ISO_INSTANT}),
            "precision": _nullable(_enum_schema(model.TimePrecision)),
            "timezone": _nullable({"type": "string", "enum": sorted(available_timezones())}),
        },
        "required": ["start"],
        "additionalProperties": False,
    }


def _casualties_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "category civilian_casualty needs killed_civilian or"
        " injured_civilian, not all zero.",
        "properties": {key: _estimate_schema() for key in model.CASUALTY_KEYS},
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _estimate_schema() -> dict[str, Any]:
    whole = {"type": "integer", "minimum": 0, "maximum": model.MAX_COUNT}
    return _nullable(
        {
            "anyOf": [
                whole,
                {
                    "type": "object",
                    "description": "low <= best <= high (UCDP); low and high default to best",
                    "properties": {
                        "low": _nullable(whole),
                        "best": whole,
                        "high": _nullable(whole),
                    },
                    "required": ["best"],
                    "additionalProperties": False,
                },
            ]
        }
    )


def _one_or_list(item: dict[str, Any]) -> dict[str, Any]:
    """One value or a list of them (the validator takes a lone value as a list of one)."""
    return _nullable({"anyOf": [item, {"type": "array", "items": item}]})


def _field_schemas() -> dict[str, dict[str, Any]]:
    """Every top-level field of a report body (``model.TOP_LEVEL_FIELDS``) as a schema."""
    fields: dict[str, dict[str, Any]] = {
        "channel": _enum_schema(model.Channel),
        "observed": _ref("ReportObserved"),
        "category": _enum_schema(model.Category),
        "event_position": _ref("ReportPosition"),
        "observer_position": _nullable(_ref("ReportPosition")),
        "distance_m": _nullable(
            {
                "type": "object",
                "description": "Metres from observer_position (needed with it); min <= max.",
                "properties": {
                    "min": _nullable({"type": "number", "minimum": 0}),
                    "max": _nullable({"type": "number", "minimum": 0}),
                },
                "additionalProperties": False,
                "anyOf": [
                    {"required": ["min"], "properties": {"min": {"type": "number"}}},
                    {"required": ["max"], "properties": {"max": {"type": "number"}}},
                ],
            }
        ),
        "bearing_deg": _nullable(
            {
                "type": "number",
                "minimum": 0,
                "exclusiveMaximum": 360,
                "description": "From observer_position (needed with it).",
            }
        ),
        "count": _nullable({"type": "integer", "minimum": 1, "maximum": model.MAX_COUNT}),
        "weapon_class": _nullable(_enum_schema(model.WeaponClass)),
        "means": _one_or_list(_enum_schema(model.Means)),
        "alleged_perpetrator": _nullable(_party_schema()),
        "casualties": _nullable(_ref("ReportCasualties")),
        "narrative": _nullable(_text_schema(model.MAX_TEXT)),
        "source_reference": _nullable(_text_schema(model.MAX_SHORT_TEXT)),
        "reporter": _nullable(_text_schema(model.MAX_SHORT_TEXT)),
        "confidence": _nullable(_enum_schema(model.Confidence)),
        "classification": _nullable(_enum_schema(Classification)),
        "concerns": _one_or_list(_party_schema()),
        "agreement_id": _nullable(_text_schema(model.MAX_ID)),
        "post_id": _nullable(_text_schema(model.MAX_ID)),
        "sensor_id": _nullable(_text_schema(model.MAX_ID)),
    }
    assert fields.keys() == model.TOP_LEVEL_FIELDS, "a report field without its schema"
    return fields


def _schema_name(channel: model.Channel) -> str:
    return "ReportBody" + "".join(part.title() for part in channel.value.split("_"))


def report_body_schemas() -> dict[str, dict[str, Any]]:
    """The components of the body of ``POST /api/v1/reports``: ``ReportBody``, a union
    discriminated by ``channel``, and one closed object per channel with what it needs."""
    components: dict[str, dict[str, Any]] = {
        "ReportObserved": _observed_schema(),
        "ReportPosition": _position_schema(),
        "ReportCasualties": _casualties_schema(),
    }
    # A distance and a bearing are measured from the observer's position.
    from_observer: dict[str, Any] = {
        "anyOf": [
            {
                "required": ["observer_position"],
                "properties": {"observer_position": {"type": "object"}},
            },
            {"properties": {"distance_m": _NULL, "bearing_deg": _NULL}},
        ]
    }
    for channel in model.Channel:
        fields = _field_schemas()
        fields["channel"] = {"type": "string", "enum": [channel.value]}
        fields["client_report_id"] = _nullable(
            _text_schema(model.MAX_IDEMPOTENCY_KEY, description="as the Idempotency-Key header")
        )
        fields["classification"]["default"] = model.CHANNEL_DEFAULT_CLASSIFICATION.get(
            channel, Classification.INTERNAL
        ).value
        schema: dict[str, Any] = {
            "type": "object",
            "title": f"A report of channel {channel.value}",
            "properties": fields,
            "required": list(model.REQUIRED_FIELDS),
            "additionalProperties": False,
            "allOf": [from_observer],
        }
        needs = model.CHANNEL_NEEDS.get(channel)
        if needs is not None:
            schema["description"] = needs.message
            given = {name: _without_null(fields[name]) for name in needs.any_of}
            if len(given) == 1:
                ((name, field_schema),) = given.items()
                schema["required"] = [*model.REQUIRED_FIELDS, name]
                fields[name] = field_schema
            else:
                schema["allOf"].append(
                    {
                        "anyOf": [
                            {"required": [name], "properties": {name: field_schema}}
                            for name, field_schema in given.items()
                        ]
                    }
                )
        components[_schema_name(channel)] = schema
    components["ReportBody"] = {
        "oneOf": [{"$ref": f"#/components/schemas/{_schema_name(c)}"} for c in model.Channel],
        "discriminator": {
            "propertyName": "channel",
            "mapping": {c.value: f"#/components/schemas/{_schema_name(c)}" for c in model.Channel},
        },
    }
    return components


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its null alternative (a field a channel needs); a text the
    validator strips must hold more than blanks."""
    inner: dict[str, Any] = schema["anyOf"][0] if _NULL in schema.get("anyOf", ()) else schema
    if inner.get("type") == "string":
        return {**inner, "pattern": r"^[^\x00]*[^\s\x00][^\x00]*$"}
    return inner
