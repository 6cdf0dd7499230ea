"""Click's own words, the usage errors it prints while it parses, in the CLI's language.

Typer (0.29) runs its own copy of Click, ``typer._click``, which words its errors with
f-strings, not with ``gettext``: no domain can be bound for it, and replacing functions
inside a vendored module would change every Typer program in the process. The one place the
CLI shows such an error is :func:`ceasefire.cli.main`, so that is where it is translated:
:func:`show` reads the error back into one of the msgids below and its parameters (the
option, argument or command names, the values given: nothing to translate) and prints
``Usage: …``, the help hint and ``Error: …`` in the chosen language. The msgids are their
own catalogue domain, ``click`` (kept apart from ``cli``, whose short words mean other
things); English prints what Click prints. A reason this module cannot read back (a
Pydantic error of a kind no option here gives) stays in English after the translated frame.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO, Any

from babel.support import NullTranslations
from typer._click import exceptions as click_exceptions
from typer._click.utils import echo

from ceasefire.console.lang import language
from ceasefire.i18n import domain_translations
from ceasefire.i18n.markers import N_
from ceasefire.i18n.readback import Readback

DOMAIN = "click"


def catalogue(lang: str) -> NullTranslations:
    """The ``click`` domain's messages for ``lang`` (English: none, the msgids; loaded once,
    by :func:`ceasefire.i18n.domain_translations`)."""
    return domain_translations(lang, DOMAIN)


def _(message: str) -> str:
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(language()).ngettext(singular, plural, n)


MAX_REWORDED = 4096
"""The longest message read back into a msgid. The patterns' two free parts (a value, then
the choices) make reading one quadratic in the value's length: an argument of 128 KiB held
the terminal for seconds. Longer messages (a pasted file, not a typo) stay as Click words
them."""

Render = Callable[[dict[str, Any]], str]


def _said(*pairs: tuple[str, str]) -> Readback[str]:
    return Readback(pairs, flags=re.DOTALL, longest=MAX_REWORDED)


_MESSAGES = Readback.worded(
    [
        N_("No such option: %(option)s"),
        N_("No such command %(name)s. Did you mean %(suggestions)s?"),
        N_("No such command %(name)s."),
        N_("Missing command."),
        N_("Option %(option)s does not take a value."),
        N_("Option %(option)s requires an argument."),
    ],
    fields={"option": ".+", "suggestions": ".+"},
    flags=re.DOTALL,
    longest=MAX_REWORDED,
)
"""Click's and Typer's usage errors as they word them, each with its msgid in this domain."""

_COUNTED: Readback[Render] = Readback(
    (
        (
            r"Got unexpected extra argument\(s\) \((?P<args>.*)\)",
            lambda m: ngettext(
                "Got unexpected extra argument (%(args)s)",
                "Got unexpected extra arguments (%(args)s)",
                len(m["args"].split()),
            ),
        ),
        (
            r"Option (?P<option>.+) requires (?P<count>\d+) arguments\.",
            lambda m: ngettext(
                "Option %(option)s requires %(count)s argument.",
                "Option %(option)s requires %(count)s arguments.",
                int(m["count"]),
            ),
        ),
        (
            r"Argument (?P<name>.+) takes (?P<count>\d+) values\.",
            lambda m: ngettext(
                "Argument %(name)s takes %(count)s value.",
                "Argument %(name)s takes %(count)s values.",
                int(m["count"]),
            ),
        ),
    ),
    flags=re.DOTALL,
    longest=MAX_REWORDED,
)
"""The usage errors that give a count, each with the form of its msgid for that count."""

_REASONS = _said(
    (r"Value must be an iterable\.", N_("Value must be an iterable.")),
    (
        r"Value (?P<value>.+) is not a valid (?P<type>\w+)\.",
        N_("Value %(value)s is not a valid %(type)s."),
    ),
    (r"(?:File|Directory|Path) (?P<path>.+) does not exist\.", N_("Path %(path)s does not exist.")),
    (r"(?:File|Directory|Path) (?P<path>.+) is a file\.", N_("Path %(path)s is a file.")),
    (r"(?:File|Directory|Path) (?P<path>.+) is a directory\.", N_("Path %(path)s is a directory.")),
    (
        r"(?:File|Directory|Path) (?P<path>.+) is not readable\.",
        N_("Path %(path)s is not readable."),
    ),
    (
        r"(?:File|Directory|Path) (?P<path>.+) is not writable\.",
        N_("Path %(path)s is not writable."),
    ),
)
"""The reasons Typer gives a bad value itself (outside Pydantic)."""

_VALUE_ERRORS = _said(
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("%(value)s is not one of %(choices)s.")),
    (
        r"(?P<value>.+) does not match the formats (?P<formats>.+)\.",
        N_("%(value)s does not match the formats %(formats)s."),
    ),
)
"""The reasons Typer's own validators give Pydantic (a choice, a date-time's formats)."""

_CHOICES = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _expected(ctx: dict[str, Any]) -> str:
    """Pydantic's ``'a', 'b' or 'c'`` as ``'a', 'b', 'c'`` (its ``or`` is English)."""
    text = str(ctx.get("expected", ""))
    found = [f"'{choice}'" for choice in _CHOICES.findall(text)]
    return ", ".join(found) if found else text


_PYDANTIC: dict[str, Callable[[dict[str, Any]], str]] = {
    "int_parsing": lambda c: _("Input should be a whole number."),
    "int_type": lambda c: _("Input should be a whole number."),
    "int_from_float": lambda c: _("Input should be a whole number."),
    "float_parsing": lambda c: _("Input should be a number."),
    "float_type": lambda c: _("Input should be a number."),
    "bool_parsing": lambda c: _("Input should be true or false."),
    "date_parsing": lambda c: _("Input should be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": lambda c: _("Input should be a date (YYYY-MM-DD)."),
    "datetime_parsing": lambda c: _("Input should be a date and time (ISO 8601)."),
    "datetime_from_date_parsing": lambda c: _("Input should be a date and time (ISO 8601)."),
    "uuid_parsing": lambda c: _("Input should be a UUID."),
    "greater_than_equal": lambda c: _("Input should be at least %(ge)s.") % c,
    "greater_than": lambda c: _("Input should be greater than %(gt)s.") % c,
    "less_than_equal": lambda c: _("Input should be at most %(le)s.") % c,
    "less_than": lambda c: _("Input should be less than %(lt)s.") % c,
    "enum": lambda c: _("Input should be one of %(expected)s.") % {"expected": _expected(c)},
    "literal_error": lambda c: (
        _("Input should be one of %(expected)s.") % {"expected": _expected(c)}
    ),
    "string_too_short": lambda c: _("Input should not be empty."),
}
"""The Pydantic errors Typer's coercion gives (its ``type`` and context), translated whole."""


def _reword(text: str, said: Readback[str], counted: Readback[Render] | None = None) -> str | None:
    """``text`` read back into a msgid of ``said`` (or a counted one) and translated; ``None``
    when none reads it, or it is longer than :data:`MAX_REWORDED`."""
    found = said.read(text)
    if found is not None:
        return _(found.said) % found.params
    count = counted.read(text) if counted is not None else None
    if count is not None:
        return count.said(count.params) % count.params
    return None


def reason(exc: click_exceptions.ClickException) -> str:
    """Why a value was refused, in the CLI's language (English where not read back)."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        listed = errors()
        if listed:
            first = listed[0]
            context = dict(first.get("ctx") or {})
            wording = _PYDANTIC.get(str(first.get("type")))
            if wording is not None:
                return wording(context)
            if first.get("type") == "value_error":
                said = _reword(str(context.get("error", "")), _VALUE_ERRORS)
                if said is not None:
                    return said
    return _reword(exc.message, _REASONS) or exc.message


def message(exc: click_exceptions.ClickException) -> str:
    """What ``Error:`` is followed by, in the CLI's language."""
    if isinstance(exc, click_exceptions.FileError):
        return _("Could not open file %(name)s: %(reason)s") % {
            "name": repr(exc.ui_filename),
            "reason": exc.message,
        }
    if isinstance(exc, click_exceptions.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_exceptions.BadParameter):
        english = exc.format_message()
        hint = english.partition(": ")[0].removeprefix("Invalid value for ")
        if english.startswith("Invalid value for "):
            return _("Invalid value for %(name)s: %(reason)s") % {
                "name": hint,
                "reason": reason(exc),
            }
        return _("Invalid value: %(reason)s") % {"reason": reason(exc)}
    text = _reword(exc.message, _MESSAGES, _COUNTED) or exc.message
    if isinstance(exc, click_exceptions.NoSuchOption) and exc.possibilities:
        options = ", ".join(sorted(exc.possibilities))
        text = f"{text} " + _("(Possible options: %(options)s)") % {"options": options}
    return text


_MISSING = re.compile(r"Missing (?P<kind>\w+)(?: (?P<name>.+?))?\.(?: (?P<rest>.*))?", re.DOTALL)


def _missing(exc: click_exceptions.MissingParameter) -> str:
    match = _MISSING.fullmatch(exc.format_message())
    if match is None:
        return exc.format_message()
    name = match["name"]
    if match["kind"] == "option":
        text = _("Missing option %(name)s.") % {"name": name} if name else _("Missing option.")
    elif match["kind"] == "argument":
        text = _("Missing argument %(name)s.") % {"name": name} if name else _("Missing argument.")
    else:
        text = (
            _("Missing parameter %(name)s.") % {"name": name} if name else _("Missing parameter.")
        )
    rest = match["rest"]
    if rest:
        rest = rest.replace("Choose from:", _("Choose from:"), 1)
        text = f"{text} {rest}"
    return text


def usage_prefix() -> str:
    """What a usage line starts with (``Usage: ``), in the CLI's language."""
    return _("Usage:") + " "


def usage(line: str) -> str:
    """A usage line (``Usage: ceasefire report list [OPTIONS]``) with its word translated
    (one that ``helptext`` had Click write translated already is kept)."""
    prefix = "Usage: "
    if line.startswith(prefix):
        return usage_prefix() + line.removeprefix(prefix)
    return line


def show(exc: click_exceptions.ClickException, file: IO[Any] | None = None) -> None:
    """Print ``exc`` as Click does (usage, help hint, ``Error: …``), in the CLI's language."""
    if language() == "en" or isinstance(exc, click_exceptions.NoArgsIsHelpError):
        exc.show(file)  # English as Click words it; a help page is translated already
        return
    out = sys.stderr if file is None else file
    color = exc.show_color
    if isinstance(exc, click_exceptions.UsageError) and exc.ctx is not None:
        ctx = exc.ctx
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            command = f"'{ctx.command_path} {ctx.help_option_names[0]}'"
            hint = _("Try %(command)s for help.") % {"command": command} + "\n"
        echo(f"{usage(ctx.get_usage())}\n{hint}", file=out, color=color)
    echo(_("Error: %(message)s") % {"message": message(exc)}, file=out, color=color)
