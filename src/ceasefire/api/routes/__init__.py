"""Every API router, in the order they are mounted. Each area adds its router here."""

from fastapi import APIRouter

from ceasefire.api.routes import members

ROUTERS: list[APIRouter] = [members.router]
