"""Index incidents by position (event_lon, event_lat): the map's boxes and the lists' `bbox`
filter. At 100k incidents a town-sized box took a scan of the table (SQLite: 240 ms for
the list's page, 80 ms for the map's count, on a loaded 2-core machine) and takes 17 and
34 ms with it. Reports get none: every index is written on each report of a bulk import
(see 0007).

Revision ID: 0009_incidents_position_index
Revises: 0008_ledger_tree
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_incidents_position_index"
down_revision: str | Sequence[str] | None = "0008_ledger_tree"


def upgrade() -> None:
    op.create_index("ix_incidents_position", "incidents", ["event_lon", "event_lat"])


def downgrade() -> None:
    op.drop_index("ix_incidents_position", table_name="incidents")
