"""Every API router, in the order they are mounted. Each area adds its router here."""

from fastapi import APIRouter

from ceasefire.api.routes import agreements, members

ROUTERS: list[APIRouter] = [agreements.router, members.router]
