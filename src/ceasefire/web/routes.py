"""The web area's pages, as one router for the application to mount."""

from fastapi import APIRouter

from ceasefire.web.auth_pages import router as auth_pages_router
from ceasefire.web.map import router as map_router
from ceasefire.web.pages import router as pages_router
from ceasefire.web.provisions import router as provisions_router

router = APIRouter()
router.include_router(pages_router)
router.include_router(auth_pages_router)
router.include_router(map_router)
router.include_router(provisions_router)
