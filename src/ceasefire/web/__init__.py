"""Server-rendered web pages: the dashboard with map and timeline (no CDN, no build step)."""
