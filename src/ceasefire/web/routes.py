"""The web area's pages, as one router for the application to mount."""

from fastapi import APIRouter

from ceasefire.web.admin_pages import router as admin_router
from ceasefire.web.alerts_pages import router as alerts_router
from ceasefire.web.auth_pages import router as auth_pages_router
from ceasefire.web.incidents import router as incidents_router
from ceasefire.web.ledger_pages import router as ledger_router
from ceasefire.web.map import router as map_router
from ceasefire.web.news_pages import router as news_router
from ceasefire.web.pages import router as pages_router
from ceasefire.web.preferences import router as preferences_router
from ceasefire.web.provisions import router as provisions_router
from ceasefire.web.publish_pages import router as publish_router
from ceasefire.web.reports import router as reports_router

router = APIRouter()
router.include_router(pages_router)
router.include_router(auth_pages_router)
router.include_router(map_router)
router.include_router(provisions_router)
router.include_router(preferences_router)
router.include_router(incidents_router)
router.include_router(reports_router)
router.include_router(ledger_router)
router.include_router(news_router)
router.include_router(alerts_router)
router.include_router(publish_router)
router.include_router(admin_router)
