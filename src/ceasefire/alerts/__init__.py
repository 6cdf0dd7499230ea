"""Alerts: what is worth telling (casualties, zone breaches, deadlines, spikes), to whom
(subscriptions, the read rule), and delivery through a persistent outbox (signed webhooks,
e-mail)."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(Area.conventional(__name__, payload_rule=True), worker="ceasefire.alerts.worker:run")
