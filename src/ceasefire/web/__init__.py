"""Server-rendered web pages: the dashboard with map and timeline (no CDN, no build step)."""

from ceasefire.areas import Area

AREA = Area(name="web", router="ceasefire.web.routes:router")
