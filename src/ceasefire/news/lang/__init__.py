"""News pipelines for languages other than English (Russian, Turkish) and the language routing.

Importing this package registers their components (``news.*.ru.v1``, ``news.*.tr.v1``).
"""

from ceasefire.news.lang import ru, tr

__all__ = ["ru", "tr"]
