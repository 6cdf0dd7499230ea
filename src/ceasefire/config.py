"""Settings, read from the environment (prefix ``CEASEFIRE_``) or passed explicitly.

Nothing is built at import time: callers construct ``Settings()`` and hand it to
``make_engine`` and ``create_app``, so tests can switch between SQLite and PostgreSQL freely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

import annotated_types
from argon2.profiles import RFC_9106_LOW_MEMORY
from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from ceasefire.errors import InvalidSetting, problem
from ceasefire.i18n.markers import N_

ENV_PREFIX = "CEASEFIRE_"


class Settings(BaseSettings):
    """Runtime configuration of one ceasefire installation."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str = Field(
        default="sqlite:///./ceasefire.db",
        description="SQLAlchemy URL; SQLite file by default, postgresql://... in production.",
    )
    key_file: Path = Field(
        default=Path("./ceasefire-keys.json"),
        description="Ed25519 signing keys the server signs ledger entries with (mode 0600).",
    )
    data_dir: Path = Field(
        default=Path("./ceasefire-data"),
        description="Where attachments and article originals are kept, content-addressed.",
    )
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024, description="Largest request body the API accepts."
    )
    sql_echo: bool = Field(default=False, description="Log every SQL statement (debugging).")
    sqlite_cache_mib: int = Field(
        default=64,
        ge=1,
        description="Page cache of each SQLite connection, MiB (SQLite's own default is 2).",
    )
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite `synchronous` in WAL mode: `full` syncs the log at every commit, "
        "so an acknowledged report survives a power cut; `normal` may lose the last "
        "commits on power loss (not on a crash of the process) and is a little faster.",
    )
    max_attachment_bytes: int = Field(
        default=8 * 1024 * 1024, description="Largest evidence file one report may attach."
    )
    attachment_bytes_per_member_per_day: int = Field(
        default=2 * 1024 * 1024 * 1024,
        ge=0,
        description="Bytes of evidence files one member may attach in 24 hours (operators "
        "excepted); over it, 429 until older files leave the window. 0: unlimited.",
    )
    report_future_tolerance_s: int = Field(
        default=300, description="How far in the future a report's time may lie (clock skew)."
    )
    intake_max_batch: int = Field(
        default=64,
        ge=1,
        description="Most reports the API files in one transaction (group commit).",
    )
    fusion_interval_s: float = Field(
        default=2.0,
        ge=0,
        description="How often the API's fusion worker looks at the queue of new reports "
        "(seconds; 0 turns the background worker off: `ceasefire fusion run` drains it).",
    )
    import_batch_size: int = Field(
        default=2000, description="Rows per transaction of a CSV import (a rerun resumes)."
    )
    import_quota_bytes_per_member: int = Field(
        default=50 * 1024 * 1024,
        ge=1,
        description="Bytes one member's CSV uploads in progress may hold in DATA_DIR/imports/ "
        "(each is deleted when its import ends).",
    )
    import_stale_after_s: int = Field(
        default=3600,
        ge=60,
        description="An upload older than this was left by a process that died mid-import; "
        "it is deleted before the next upload is stored.",
    )
    map_tile_url: str | None = Field(
        default=None,
        description="Online deployments only: a tile URL template for the web map's base "
        "layer (`https://tiles.example.org/{z}/{x}/{y}.png`); unset, the map uses only the "
        "base layer shipped with the package and loads nothing from outside.",
    )
    max_article_bytes: int = Field(
        default=5 * 1024 * 1024, description="Largest news article file the pipeline reads."
    )
    # argon2id costs of new password hashes. The defaults are argon2-cffi's (RFC 9106's
    # low-memory profile); the floors are OWASP's minimum for argon2id (m=19 MiB, t=2, p=1).
    # A hash records its own costs, so changing them never breaks a stored password: the
    # next sign-in rehashes it with the new ones.
    password_hash_time_cost: int = Field(
        default=RFC_9106_LOW_MEMORY.time_cost,
        ge=2,
        description="argon2id passes over memory of each new password hash (at least 2).",
    )
    password_hash_memory_kib: int = Field(
        default=RFC_9106_LOW_MEMORY.memory_cost,
        ge=19456,
        description="argon2id memory of each new password hash, KiB (at least 19456).",
    )
    password_hash_parallelism: int = Field(
        default=RFC_9106_LOW_MEMORY.parallelism,
        ge=1,
        le=64,
        description="argon2id lanes (threads) of each new password hash.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins for one user name before it is locked."
    )
    login_failure_window_s: int = Field(
        default=900, ge=1, description="Window (seconds) in which failed sign-ins are counted."
    )
    login_lockout_s: int = Field(
        default=900, ge=1, description="How long (seconds) a locked user name is refused."
    )
    session_idle_s: int = Field(
        default=7200,
        ge=120,
        description="A sign-in session (a token labelled login) unused this long (seconds) "
        "ends; API tokens have no idle limit.",
    )
    request_threads: int = Field(
        default=2,
        ge=1,
        le=256,
        description="Requests one worker process handles in its threads at once (the rest "
        "wait their turn, first come first served). One process runs Python on one core at "
        "a time, so more threads only share its interpreter lock: with 8 concurrent readers "
        "of the incident list on SQLite, 4 threads served 53/s (p99 224 ms), 2 served 70/s "
        "(p99 189 ms), 1 served 99/s (p99 89 ms); but with one thread a long request (an "
        "export, a CSV import) holds every other, the import's progress included, and on "
        "PostgreSQL a second thread runs while the first waits on the server (intake 63/s "
        "with one, 133/s with two). bench/RESULTS.md, 'Load at 100k on a quiet machine'.",
    )
    public_requests_per_minute: int = Field(
        default=120,
        ge=0,
        description="Requests a minute (and burst) one client address may make without a "
        "valid token; 0: unlimited. Per worker process.",
    )
    token_requests_per_minute: int = Field(
        default=6000,
        ge=0,
        description="Requests a minute (and burst) one valid API token may make; 0: unlimited. "
        "Per worker process. Raise it for a sensor feed that files more than 100 reports a "
        "second through one token.",
    )
    sign_ins_per_user_per_minute: int = Field(
        default=10,
        ge=0,
        description="Successful password checks a minute (and burst) for one user name: "
        "sign-ins, tokens minted, password changes; 0: unlimited.",
    )
    login_attempts_per_address_per_minute: int = Field(
        default=10,
        ge=0,
        description="Failed sign-ins a minute (and burst) from one client address; 0: unlimited.",
    )
    alerts_worker_interval_s: int = Field(
        default=60,
        ge=0,
        description="How often the served app scans for alerts and runs due deliveries "
        "(seconds); 0: never (run `ceasefire alerts scan` and `ceasefire alerts deliver` "
        "from a timer instead).",
    )
    alerts_due_within_days: int = Field(
        default=3,
        ge=0,
        description="A deadline alert is raised this many days before it falls due.",
    )
    alerts_spike_alpha: float = Field(
        default=0.001,
        gt=0,
        lt=1,
        description="Tail probability under an area's baseline below which its last 24 hours "
        "are a spike (negative binomial test, docs/alerts.md).",
    )
    alerts_spike_min_count: int = Field(
        default=3, ge=1, description="Fewest incidents in 24 hours an area's spike alert needs."
    )
    alerts_spike_baseline_days: int = Field(
        default=28, ge=2, description="Days of trailing baseline a spike is tested against."
    )
    alerts_spike_cell_deg: float = Field(
        default=0.25,
        gt=0,
        le=5,
        description="Size (degrees) of the grid cells spikes are counted in (0.25: ~28 x 21 km).",
    )
    alerts_webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="How long one webhook delivery may take (seconds)."
    )
    alerts_webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks reach loopback, private, link-local and other non-public "
        "addresses. Off: a member cannot make the server call into the centre's own network "
        "(SSRF, docs/operations.md).",
    )
    alerts_smtp_host: str | None = Field(
        default=None, description="SMTP server alerts are mailed through; unset: no e-mail."
    )
    alerts_smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    alerts_smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS before sending."
    )
    alerts_smtp_user: str | None = Field(default=None, description="SMTP user name, if any.")
    alerts_smtp_password: str | None = Field(
        default=None, description="SMTP password (give it through the environment)."
    )
    alerts_mail_from: str = Field(
        default="ceasefire-alerts@localhost", description="Sender address of alert e-mails."
    )
    actor_dictionary: Path | None = Field(
        default=None, description="A YAML file extending the news actor dictionary (docs/nlp.md)."
    )
    publish_schedule: bool = Field(
        default=False,
        description="Generate the scheduled reports at each cut-off while the server runs "
        "(docs/publishing.md); `ceasefire publish due` does the same once.",
    )


def load_settings(**values: Any) -> Settings:
    """The settings of an entry point (a command, the server, the ASGI app factory): an
    invalid environment variable is a coded :class:`InvalidSetting` naming the variable, the
    value given and what the setting expects, not pydantic's report naming its field."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise invalid_setting(exc) from None


SHOWN_VALUE_CHARS = 40
"""The most characters of a refused value an error quotes (a variable may hold anything)."""


def invalid_setting(exc: ValidationError) -> InvalidSetting:
    """The refusal of every invalid setting in ``exc``: the message says the first, the
    details list each with its variable, the value given and what is expected."""
    refusals = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = Settings.model_fields.get(name)
        variable = ENV_PREFIX + name.upper()
        msgid, params = _expected(field, error["msg"])
        params = {"variable": variable, "value": _shown(error.get("input")), **params}
        refusals.append((msgid, params))
    msgid, params = refusals[0]
    details = [
        problem(
            p["variable"],
            (m % p).removeprefix(f"{p['variable']} is {p['value']}: "),
            extra={"value": p["value"]},
        )
        for m, p in refusals
    ]
    return InvalidSetting.worded(msgid, details=details, **params)


def _shown(value: object) -> str:
    """The value as an error quotes it: at most :data:`SHOWN_VALUE_CHARS` characters, in
    quotes, control characters escaped (``repr``)."""
    text = str(value)
    if len(text) > SHOWN_VALUE_CHARS:
        return repr(text[:SHOWN_VALUE_CHARS]) + "…"
    return repr(text)


_BOUNDS = (
    (annotated_types.Ge, "ge", "≥"),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "≤"),
    (annotated_types.Lt, "lt", "<"),
)


def _expected(field: FieldInfo | None, reason: str) -> tuple[str, dict[str, str]]:
    """What ``field`` takes, as a catalogue msgid and its parameters; bounds are written
    as ``≥ 1, ≤ 256`` (the same in every language)."""
    kind = field.annotation if field is not None else None
    if field is None:
        return N_("%(variable)s is %(value)s: %(reason)s"), {"reason": reason}
    bounds = ", ".join(
        f"{sign} {getattr(item, attr)}"
        for item in field.metadata
        for cls, attr, sign in _BOUNDS
        if isinstance(item, cls)
    )
    if kind is bool:
        return N_("%(variable)s is %(value)s: expected true or false (1, 0, yes, no, on, off)"), {}
    if kind is int and bounds:
        return N_("%(variable)s is %(value)s: expected a whole number %(bounds)s"), {
            "bounds": bounds
        }
    if kind is int:
        return N_("%(variable)s is %(value)s: expected a whole number"), {}
    if kind is float and bounds:
        return N_("%(variable)s is %(value)s: expected a number %(bounds)s"), {"bounds": bounds}
    if kind is float:
        return N_("%(variable)s is %(value)s: expected a number"), {}
    if choices := get_args(kind) if getattr(kind, "__origin__", None) is Literal else ():
        return N_("%(variable)s is %(value)s: expected one of %(choices)s"), {
            "choices": ", ".join(str(c) for c in choices)
        }
    return N_("%(variable)s is %(value)s: %(reason)s"), {"reason": reason}
