"""The ``ceasefire`` command line: thin commands that call services.

Errors from any command are turned into output and an exit code in one place, ``main``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
import typer.main
from rich.markup import escape

# Typer 0.29 vendors Click as ``typer._click`` and raises its exceptions, not click's.
from typer._click import exceptions as click_exceptions

from ceasefire.console import clickwords, helptext, lang, steps
from ceasefire.console.context import get_context
from ceasefire.console.lang import _
from ceasefire.console.output import console, err_console, print_json, print_prose, show_error
from ceasefire.errors import CeasefireError, InvalidInput
from ceasefire.i18n.markers import N_

app = typer.Typer(
    name="ceasefire",
    help=N_("Software for a joint ceasefire monitoring centre."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Language(StrEnum):
    """The working languages the CLI can speak."""

    EN = "en"
    RU = "ru"
    TR = "tr"


@app.callback(help=N_("Software for a joint ceasefire monitoring centre."))
def root(
    language: Annotated[
        Language | None,
        typer.Option(
            "--lang",
            help=N_(
                "Language of the output (en, ru, tr); default: CEASEFIRE_LANG, else the "
                "locale (LC_ALL, LC_MESSAGES, LANG). --json and exports are never translated."
            ),
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    lang.choose(language.value if language is not None else None)


@app.command(help=N_("Create or upgrade the database (and keys); idempotent."))
def init(
    demo: bool = typer.Option(False, "--demo", help=N_("Also load the demo data.")),
    demo_month: bool = typer.Option(
        True,
        "--demo-month/--no-demo-month",
        help=N_(
            "With --demo: also file the generated month of reports (10 Nov - 10 Dec 2020) "
            "and fuse it into incidents."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help=N_("Machine-readable output.")),
) -> None:
    from ceasefire.bootstrap import initialise

    summary = initialise(get_context(), demo=demo, demo_month=demo_month)
    if as_json:
        print_json(summary)
    else:
        for line in summary.steps:
            print_prose(escape(steps.say(line)), first="✓ ", style="green")
        if summary.users:
            print_prose(
                _(
                    "[bold]Demo users[/bold] (sign in at /login; the passwords are shown this"
                    " once and only their hashes are kept — `ceasefire user password USER` sets"
                    " a new one):"
                ),
                rest="",
            )
            for user in summary.users:
                role = (
                    _("operator")
                    if user.operator
                    else _("member {member}").format(member=user.member_id)
                )
                console.print(f"  {user.user_id:<14} {user.password}  ({role})")


@app.command(help=N_("Serve the API (and web pages) with Uvicorn."))
def serve(
    host: str = typer.Option("127.0.0.1", help=N_("Interface to listen on.")),
    port: int = typer.Option(8000, help=N_("Port to listen on.")),
    workers: int = typer.Option(
        1,
        min=1,
        help=N_("Worker processes; each has its own connections and report writer thread."),
    ),
    access_log: bool = typer.Option(True, help=N_("Log every request (method, path, status).")),
) -> None:
    import uvicorn

    from ceasefire.app import create_app

    ctx = get_context()
    console.print(
        _("ceasefire serving on [bold]{url}[/bold]  (API docs: /docs)").format(
            url=f"http://{host}:{port}/"
        )
    )
    if workers == 1:
        uvicorn.run(
            create_app(ctx=ctx), host=host, port=port, log_level="info", access_log=access_log
        )
        return
    # Each worker process builds its own application from the same environment.
    ctx.dispose()
    uvicorn.run(
        "ceasefire.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
    )


def _register_subcommands() -> None:
    from ceasefire.areas import contributions

    for register in contributions("commands"):
        register(app)


_register_subcommands()


def _exit_code(exc: CeasefireError) -> int:
    return 2 if isinstance(exc, InvalidInput) else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, render coded errors once, return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    lang.reset()
    # Click prints a help page while it parses, before ``root`` acts on ``--lang``: the
    # language is found first, and the tree's help put into it before parsing starts.
    lang.choose(helptext.language_argument(args))
    command = typer.main.get_command(app)
    helptext.translate(command)
    try:
        command.main(args=args, prog_name="ceasefire", standalone_mode=False)
    except CeasefireError as exc:
        if "--json" in args:
            print_json(exc.to_dict())
        else:
            show_error(exc)
        return _exit_code(exc)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click_exceptions.ClickException as exc:
        clickwords.show(exc)  # Click's words, in the CLI's language
        return exc.exit_code
    except typer.Abort:
        err_console.print(_("aborted"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
