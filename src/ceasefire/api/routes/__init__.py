"""Every API router, in the order they are mounted. Each area adds its router here."""

from fastapi import APIRouter

from ceasefire.api.routes import agreements, incidents, ledger, members, news, reports

ROUTERS: list[APIRouter] = [
    agreements.router,
    ledger.router,
    members.router,
    reports.router,
    incidents.router,
    news.router,
]
