"""The first command that needs the place-name index builds it with a message and a
progress bar on stderr (about 15 s once per machine, then cached)."""

from __future__ import annotations

from ceasefire.console.lang import _
from ceasefire.console.output import err_console


def ensure_place_index() -> None:
    """Build the gazetteer's index with a message and a progress bar on stderr if this
    machine has none yet (the first ``extract``/``geoparse``: about 15 s, then cached)."""
    from ceasefire.news.geo.gazetteer import Gazetteer, default_cache_dir, is_cached

    if is_cached():
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    err_console.print(
        _(
            "Building the place-name index from GeoNames: once per machine, about 15 s;"
            " it is kept in {folder}"
        ).format(folder=default_cache_dir()),
        highlight=False,
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task(_("place-name index"), total=1.0)
        Gazetteer.load(
            progress=lambda phase, done: progress.update(
                task, completed=done, description=_("place-name index: {phase}").format(phase=phase)
            )
        )
