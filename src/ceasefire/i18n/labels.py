"""The words for the domain's values: every status, category, role, channel and kind a
reader sees by its label, never by its code (``party_liaison``, ``handed_over``).

One table for every interface that shows them: the web pages (the ``label`` filter), the
published reports (the same filter, ``publish.render``) and the command line's tables and
lines (``console.lang.word``). Each label is an English msgid marked ``N_``, translated where
it is shown, in the reader's language; the codes themselves stay in what machines read (the
JSON API, ``--json``, the CSV/HXL/GeoJSON exports, CSS classes and form values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ceasefire.i18n.markers import N_

# The categories' names as pages and published reports show them, translated where shown
# (the web pages, the publishing area's reports and charts share this one table).
CATEGORY_LABELS: dict[str, str] = {
    "explosion_undetermined": N_("explosion (undetermined)"),
    "explosion_impact": N_("explosion (impact)"),
    "explosion_outgoing": N_("explosion (outgoing)"),
    "explosion_airburst": N_("explosion (airburst)"),
    "projectile": N_("projectile in flight"),
    "muzzle_flash": N_("muzzle flash"),
    "illumination_flare": N_("illumination flare"),
    "small_arms_fire": N_("small-arms fire"),
    "heavy_machine_gun_fire": N_("heavy-machine-gun fire"),
    "armed_clash": N_("armed clash"),
    "drone_strike": N_("drone strike"),
    "shelling": N_("shelling"),
    "heavy_weapon_in_violation": N_("heavy weapon in violation of withdrawal line"),
    "troop_or_vehicle_movement": N_("troop or vehicle movement"),
    "freedom_of_movement_restriction": N_("freedom-of-movement restriction"),
    "uav_jamming": N_("UAV jamming"),
    "gps_interference": N_("GPS interference"),
    "civilian_casualty": N_("civilian casualty"),
    "damage_to_civilian_object": N_("damage to civilian object"),
    "mine_uxo": N_("mine / UXO"),
    "detention_exchange": N_("detention / exchange"),
    "other": N_("other"),
}

STATUS_LABELS = {
    "reported": N_("reported"),
    "under_investigation": N_("under investigation"),
    "verified": N_("verified"),
    "not_substantiated": N_("not substantiated"),
    "unverifiable": N_("unverifiable"),
}
ATTRIBUTION_LABELS = {
    "pending": N_("pending"),
    "attributed": N_("attributed"),
    "not_attributable": N_("not attributable"),
    "disputed": N_("disputed"),
}
DECISION_LABELS = {
    "decided": N_("decided"),
    "disputed": N_("disputed"),
    "pending": N_("decision pending"),
}
STANCE_LABELS = {"concur": N_("concur"), "dissent": N_("dissent"), "abstain": N_("abstain")}
CLASSIFICATION_LABELS = {
    "internal": N_("internal"),
    "shared": N_("shared"),
    "public": N_("public"),
}
CHANNEL_LABELS = {
    "monitor_observation": N_("monitor observation"),
    "sensor_detection": N_("sensor detection"),
    "party_complaint": N_("party complaint"),
    "public_hotline": N_("public hotline"),
    "news": N_("news"),
    "csv_import": N_("CSV import"),
}
PROVISION_STATUS_LABELS = {
    "pending": N_("pending"),
    "in_progress": N_("in progress"),
    "fulfilled": N_("fulfilled"),
    "overdue": N_("overdue"),
    "breached": N_("breached"),
    "superseded": N_("superseded"),
}
PRECISION_LABELS = {
    1: N_("1 · exact"),
    2: N_("2 · within about 25 km of the place"),
    3: N_("3 · district"),
    4: N_("4 · region"),
    5: N_("5 · linear feature or larger area"),
    6: N_("6 · country"),
    7: N_("7 · water or airspace"),
}
WEAPON_LABELS = {
    "small_arms": N_("small arms"),
    "heavy_machine_gun": N_("heavy machine gun"),
    "grenade_launcher": N_("grenade launcher"),
    "recoilless_gun": N_("recoilless gun"),
    "mortar": N_("mortar"),
    "artillery": N_("artillery"),
    "mlrs": N_("multiple rocket launcher"),
    "tank": N_("tank"),
    "anti_tank": N_("anti-tank weapon"),
    "anti_aircraft": N_("anti-aircraft weapon"),
    "missile": N_("missile"),
    "uav": N_("UAV"),
    "mine": N_("mine"),
    "other": N_("other weapon"),
    "unknown": N_("weapon not identified"),
}
MEANS_LABELS = {
    "heard": N_("heard"),
    "seen": N_("seen"),
    "camera": N_("camera"),
    "uav": N_("UAV"),
}
CONFIDENCE_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
TIME_PRECISION_LABELS = {
    "exact": N_("exact time"),
    "day": N_("to the day"),
    "week": N_("to the week"),
    "month": N_("to the month"),
}
CASUALTY_LABELS = {
    "killed_civilian": N_("killed, civilians"),
    "killed_military": N_("killed, military"),
    "killed_unknown": N_("killed, not known whether civilian"),
    "injured_civilian": N_("injured, civilians"),
    "injured_military": N_("injured, military"),
    "injured_unknown": N_("injured, not known whether civilian"),
}
SOURCE_KIND_LABELS = {
    "monitor": N_("monitor"),
    "sensor": N_("sensor"),
    "complaint": N_("party complaint"),
    "news": N_("news"),
    "hotline": N_("public hotline"),
    "import": N_("import"),
}
SOURCE_REASON_LABELS = {
    "same observer": N_("same observer"),
    "names no observer: counted alone": N_("names no observer: counted alone"),
    "one article": N_("one article"),
    "near-identical text": N_("near-identical text"),
}
"""Why fusion's corroboration counts reports as one source (``fusion.corroboration``);
"same wire: X" and "same outlet: X" are worded with their name by ``source_reason``."""
FUSION_KIND_LABELS = {
    "new_incident": N_("new incident"),
    "linked": N_("linked"),
    "left_alone": N_("left alone"),
    "merged": N_("merged"),
    "split": N_("split"),
    "undone": N_("undone"),
}
TASK_STATUS_LABELS = {"assigned": N_("assigned"), "completed": N_("completed")}
"""An investigation task's status."""
FINDING_LEVEL_LABELS = {"breach": N_("breach"), "possible": N_("possible breach")}
NEWS_EVENT_LABELS = {
    "AGREE": N_("agreement"),
    "AID": N_("aid"),
    "ASSAULT": N_("assault"),
    "COERCE": N_("coercion"),
    "CONCEDE": N_("concession"),
    "CONSULT": N_("consultation"),
    "COOPERATE": N_("cooperation"),
    "DEMAND": N_("demand"),
    "DISAPPROVE": N_("disapproval"),
    "FIGHT": N_("fighting"),
    "INVESTIGATE": N_("investigation"),
    "MOBILIZE": N_("mobilisation"),
    "PROTEST": N_("protest"),
    "REJECT": N_("rejection"),
    "RETREAT": N_("withdrawal"),
    "SANCTION": N_("sanctions"),
    "SUPPORT": N_("support"),
    "THREATEN": N_("threat"),
}
"""A news event's PLOVER type (``news.components.lexicon.PLOVER_TYPES``), as pages name it."""
MODALITY_LABELS = {
    "occurred": N_("occurred"),
    "planned": N_("planned"),
    "claimed": N_("claimed"),
    "denied": N_("denied"),
}
"""What the article says of a news event: it happened, is planned, is claimed or denied."""
ALERT_KIND_LABELS = {
    "casualties": N_("casualties"),
    "zone_breach": N_("zone breach"),
    "deadline_due": N_("deadline due"),
    "deadline_overdue": N_("deadline overdue"),
    "spike": N_("spike in incidents"),
}
ALERT_CHANNEL_LABELS = {"email": N_("e-mail"), "webhook": N_("webhook")}
SEVERITY_LABELS = {"info": N_("info"), "warning": N_("warning"), "critical": N_("critical")}
DELIVERY_STATE_LABELS = {
    "pending": N_("pending"),
    "succeeded": N_("delivered"),
    "dead": N_("dead-lettered"),
}
ROLE_LABELS = {
    "monitor": N_("monitor"),
    "party_liaison": N_("party liaison"),
    "observer": N_("observer"),
}
MEMBER_KIND_LABELS = {"state": N_("state"), "organisation": N_("organisation")}
SENSOR_KIND_LABELS = {"camera": N_("camera"), "uav": N_("UAV"), "acoustic": N_("acoustic")}
EDITION_LABELS = {"public": N_("public edition"), "internal": N_("internal edition")}
PERIOD_LABELS = {
    "daily": N_("daily"),
    "weekly": N_("weekly"),
    "monthly": N_("monthly"),
    "spot": N_("spot report"),
}
DATASET_LABELS = {
    "incidents": N_("incidents"),
    "reports": N_("reports"),
    "zones": N_("zones"),
    "posts": N_("observation posts"),
}
EXPORT_FORMAT_LABELS = {
    "acled": N_("ACLED CSV"),
    "ucdp": N_("UCDP CSV"),
    "geojson": N_("GeoJSON"),
    "jsonl": N_("JSON Lines"),
}
TOKEN_STATE_LABELS = {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")}
AGREEMENT_KIND_LABELS = {
    "ceasefire": N_("ceasefire"),
    "memorandum": N_("memorandum"),
    "follow_on_statement": N_("follow-on statement"),
    "protocol": N_("protocol"),
    "other": N_("other agreement"),
}
TIMELINE_KIND_LABELS = {
    "deadline": N_("deadline"),
    "amendment": N_("deadline moved"),
    "status": N_("status"),
    "term": N_("term"),
    "incident": N_("incident"),
}
"""The kinds of the dashboard's and the provisions tracker's timeline lines."""
STANCE_VERB_LABELS = {
    "concur": N_("concurs"),
    "dissent": N_("dissents"),
    "abstain": N_("abstains"),
}
"""A member's stance as a published report says it of the member ("Turkey concurs")."""
SOURCE_COUNT_LABELS = {
    "monitor": N_("monitors"),
    "sensor": N_("sensors"),
    "complaint": N_("complaints"),
    "news": N_("news"),
    "hotline": N_("hotline"),
    "import": N_("imported"),
}
"""Fusion's kinds of independent source before their count, as a published report names them."""
CASUALTY_COUNT_LABELS = {
    "killed_civilian": N_("civilians killed"),
    "killed_military": N_("military killed"),
    "killed_unknown": N_("killed, status unknown"),
    "injured_civilian": N_("civilians injured"),
    "injured_military": N_("military injured"),
    "injured_unknown": N_("injured, status unknown"),
}
"""The kinds of casualty before their count, as a published report names them."""
PROVISION_KIND_LABELS = {
    "cessation_of_hostilities": N_("cessation of hostilities"),
    "handover": N_("handover"),
    "withdrawal": N_("withdrawal"),
    "deployment": N_("deployment"),
    "corridor": N_("corridor"),
    "exchange": N_("exchange"),
    "return": N_("return"),
    "transport_link": N_("transport link"),
    "monitoring_body": N_("monitoring body"),
    "other": N_("other provision"),
}
DEADLINE_STATUS_LABELS = {
    "overdue": N_("overdue"),
    "due": N_("due"),
    "pending": N_("pending"),
    "fulfilled": N_("fulfilled"),
    "closed": N_("closed"),
}
"""Where a watched provision's deadline stands (``compliance.model.DeadlineStatus``)."""
PARTY_ROLE_LABELS = {
    "signatory": N_("signatory"),
    "guarantor": N_("guarantor"),
    "mediator": N_("mediator"),
    "monitor": N_("monitoring party"),
    "observer": N_("observer"),
    "monitored": N_("monitored party"),
}
"""What a party is to an agreement (``agreements.model.PartyRole``), as the dashboard shows it."""
LEDGER_TAG_LABELS = {
    "agreement:version:loaded": N_("agreement version loaded"),
    "agreement:deadline:amended": N_("deadline amended"),
    "agreement:provision:retired": N_("provision retired"),
    "agreement:provision:status-changed": N_("provision status changed"),
    "alerts:alert:raised": N_("alert raised"),
    "alerts:subscription:added": N_("alert subscription added"),
    "alerts:subscription:ended": N_("alert subscription ended"),
    "alerts:delivery:succeeded": N_("alert delivered"),
    "alerts:delivery:dead-lettered": N_("alert delivery dead-lettered"),
    "alerts:delivery:requeued": N_("alert delivery requeued"),
    "compliance:finding:recorded": N_("compliance finding recorded"),
    "compliance:finding:withdrawn": N_("compliance finding withdrawn"),
    "fusion:report:new-incident": N_("report opened a new incident"),
    "fusion:report:linked": N_("report linked to the incident"),
    "fusion:report:left-alone": N_("report left alone"),
    "fusion:incident:merged": N_("incidents merged"),
    "fusion:incident:split": N_("incident split"),
    "fusion:decision:undone": N_("fusion decision undone"),
    "intake:incident:created": N_("incident created"),
    "intake:incident:reports-added": N_("reports added to the incident"),
    "intake:incident:report-removed": N_("report removed from the incident"),
    "intake:incident:edited": N_("incident edited"),
    "intake:incident:status-changed": N_("incident status changed"),
    "intake:incident:decided": N_("incident decided"),
    "intake:incident:classified": N_("incident classification changed"),
    "intake:incident:assessed": N_("incident assessed"),
    "intake:incident:replied": N_("party replied"),
    "intake:incident:noted": N_("note added"),
    "intake:incident:task-assigned": N_("investigation task assigned"),
    "intake:incident:task-completed": N_("investigation task completed"),
    "intake:decision-rule:set": N_("decision rule set"),
    "intake:report:received": N_("report received"),
    "intake:attachment:received": N_("evidence file received"),
    "intake:import:batch-committed": N_("import batch committed"),
    "ledger:key:added": N_("signing key added"),
    "ledger:key:rotated": N_("signing key rotated"),
    "ledger:key:revoked": N_("signing key revoked"),
    "ledger:root:sealed": N_("daily root sealed"),
    "member:member:added": N_("member added"),
    "member:role:granted": N_("role granted"),
    "member:role:ended": N_("role ended"),
    "member:post:added": N_("observation post added"),
    "member:sensor:added": N_("sensor added"),
    "auth:user:added": N_("user added"),
    "auth:user:disabled": N_("user disabled"),
    "auth:user:enabled": N_("user enabled"),
    "auth:user:password-set": N_("password set"),
    "auth:user:preferences-set": N_("user preferences set"),
    "auth:token:created": N_("API token created"),
    "auth:token:revoked": N_("API token revoked"),
    "news:article:ingested": N_("news article ingested"),
    "publish:report:generated": N_("report published"),
    "publish:report:withdrawn": N_("report withdrawn"),
}
"""Every ledger tag (each area's ``events.py`` tag enum) as the pages name a ledger line; the
tag itself stays beside it for those who check the ledger."""
LABELS: dict[str, dict[Any, str]] = {
    "party_role": PARTY_ROLE_LABELS,
    "news_event": NEWS_EVENT_LABELS,
    "modality": MODALITY_LABELS,
    "ledger_tag": LEDGER_TAG_LABELS,
    "provision_kind": PROVISION_KIND_LABELS,
    "deadline_status": DEADLINE_STATUS_LABELS,
    "provision_status": PROVISION_STATUS_LABELS,
    "stance_verb": STANCE_VERB_LABELS,
    "source_count": SOURCE_COUNT_LABELS,
    "casualty_count": CASUALTY_COUNT_LABELS,
    "status": STATUS_LABELS,
    "attribution": ATTRIBUTION_LABELS,
    "stance": STANCE_LABELS,
    "decision": DECISION_LABELS,
    "classification": CLASSIFICATION_LABELS,
    "channel": CHANNEL_LABELS,
    "category": CATEGORY_LABELS,
    "precision": PRECISION_LABELS,
    "weapon": WEAPON_LABELS,
    "means": MEANS_LABELS,
    "confidence": CONFIDENCE_LABELS,
    "time_precision": TIME_PRECISION_LABELS,
    "casualty": CASUALTY_LABELS,
    "source_kind": SOURCE_KIND_LABELS,
    "source_reason": SOURCE_REASON_LABELS,
    "fusion_kind": FUSION_KIND_LABELS,
    "finding_level": FINDING_LEVEL_LABELS,
    "task_status": TASK_STATUS_LABELS,
    "alert_kind": ALERT_KIND_LABELS,
    "alert_channel": ALERT_CHANNEL_LABELS,
    "severity": SEVERITY_LABELS,
    "delivery_state": DELIVERY_STATE_LABELS,
    "role": ROLE_LABELS,
    "member_kind": MEMBER_KIND_LABELS,
    "sensor_kind": SENSOR_KIND_LABELS,
    "token_state": TOKEN_STATE_LABELS,
    "edition": EDITION_LABELS,
    "period": PERIOD_LABELS,
    "dataset": DATASET_LABELS,
    "export_format": EXPORT_FORMAT_LABELS,
    "agreement_kind": AGREEMENT_KIND_LABELS,
    "timeline_kind": TIMELINE_KIND_LABELS,
}
"""Each kind of value (``label(kind, ...)``), its codes and their English labels."""


def label(kind: str, value: object, translate: Callable[[str], str]) -> str:
    """``value``'s label of ``kind`` by ``translate`` (the reader's gettext); a value the
    table does not know (a member's own words, an empty one) as it is."""
    code = getattr(value, "value", value)  # an enum member: its code
    found = LABELS[kind].get(code)
    if found is None:
        return "" if value is None else str(code)
    return str(translate(found))


_NAMED_REASONS = (
    ("same wire: ", N_("same wire: %(name)s")),
    ("same outlet: ", N_("same outlet: %(name)s")),
)


def source_reason(reason: str, translate: Callable[[str], str]) -> str:
    """Why corroboration counts reports as one source, by ``translate`` (the reader's
    gettext): the incident page's and ``fusion show``'s one wording of it."""
    for prefix, msgid in _NAMED_REASONS:
        if reason.startswith(prefix):
            return str(translate(msgid)) % {"name": reason[len(prefix) :]}
    return label("source_reason", reason, translate)
