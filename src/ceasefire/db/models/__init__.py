"""All ORM models. Importing this package registers every table on ``Base.metadata``.

Each domain area keeps its tables in its own module; add its import here.
"""

from ceasefire.db.base import Base
from ceasefire.db.models import (
    agreements,  # noqa: F401
    installation,  # noqa: F401
    intake,  # noqa: F401
    ledger,  # noqa: F401
    ledger_tree,  # noqa: F401
    members,  # noqa: F401
    news,  # noqa: F401
)

__all__ = ["Base"]
