"""Every API router, in the order they are mounted. Each area adds its router here.

A request is matched against the routes in this order, so the busiest (report intake,
hundreds a second under load) comes first.
"""

from fastapi import APIRouter

from ceasefire.api.routes import agreements, incidents, ledger, members, news, reports

ROUTERS: list[APIRouter] = [
    reports.router,
    agreements.router,
    ledger.tree_router,  # before ledger.router, whose /{seq} would take /tree-head
    ledger.router,
    members.router,
    incidents.router,
    news.router,
]
