"""The ``--help`` texts in the CLI's language.

Commands, groups, options and arguments give their help in English, marked with ``N_``
(``help=N_("...")``; a command's help is given that way rather than by its docstring, which
no extractor sees), so that ``scripts/i18n`` collects it into the ``cli`` catalogue. Click
renders a help page while it parses the command line, before the root command's ``--lang``
has been acted on, so :func:`ceasefire.cli.main` finds the language in the arguments first
(:func:`language_argument`), builds the command tree and hands it to :func:`translate`,
which puts every help text, and the headings Typer gives its help panels, into that
language. English is the msgids themselves: its help, and ``docs/cli.md`` generated from it,
read as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from typer import rich_utils
from typer._click import Command, Context, Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup, TyperOption

from ceasefire.console import clickwords
from ceasefire.console.lang import _
from ceasefire.i18n.markers import N_

LANG_OPTION = "--lang"

HELP_OPTION = N_("Show this message and exit.")
"""Click's own help for ``--help``."""

TYPER_WORDING: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
"""The words Typer's help pages and error panels print around ours (module constants of
``typer.rich_utils``, English there), by constant."""


def language_argument(args: Sequence[str]) -> str | None:
    """The value of the root command's ``--lang`` in ``args`` (``--lang ru`` or
    ``--lang=ru``), looked for before the first command name; ``None`` without one."""
    for position, arg in enumerate(args):
        if arg == LANG_OPTION:
            return args[position + 1] if position + 1 < len(args) else None
        if arg.startswith(LANG_OPTION + "="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):
            return None
    return None


def commands(command: Command) -> Iterator[Command]:
    """``command`` and every command under it."""
    yield command
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            yield from commands(sub)


def help_texts(command: Command) -> Iterator[str]:
    """Every help text of ``command``'s tree as given (help, short help, epilog, help panel
    names of commands and parameters): what :func:`translate` translates."""
    for each in commands(command):
        yield from _texts(each)
        for param in each.params:
            yield from _texts(param)


HELP_FIELDS = ("help", "short_help", "epilog", "rich_help_panel")
"""The attributes of a command or parameter that hold help text."""


def _texts(item: object) -> Iterator[str]:
    for name in HELP_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str) and value:
            yield value


class _Formatter(HelpFormatter):
    """Click's formatter, its ``Usage:`` in the CLI's language (``clickwords``)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, clickwords.usage_prefix() if prefix is None else prefix)


class _Context(Context):
    formatter_class = _Formatter


def translate(command: Command) -> None:
    """Put ``command``'s tree (built for this run) and Typer's help words into the CLI's
    language, in place; its usage lines (a help page's, a usage error's) say ``Usage:`` in
    that language too."""
    for name, english in TYPER_WORDING.items():
        setattr(rich_utils, name, _(english))
    for each in commands(command):
        each.context_class = _Context
        _translate(each)
        for param in each.params:
            _translate(param)
            _flag_without_type(param)
        helper = each.get_help_option(Context(each))
        if helper is not None:
            helper.help = _(HELP_OPTION)
            _flag_without_type(helper)


def _flag_without_type(param: Parameter) -> None:
    """A flag (``--json``, ``--help``) takes no value, but Typer's help shows its type as
    ``<bool>``, as if it were given as ``--json true`` (which Click then refuses): its type
    column is left empty. Options that take a value keep theirs (``<str>``, ``<int>``)."""
    if isinstance(param, TyperOption) and param.is_flag and not param.count:
        param.metavar = ""


def _translate(item: object) -> None:
    for name in HELP_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str) and value:
            setattr(item, name, _(value))
