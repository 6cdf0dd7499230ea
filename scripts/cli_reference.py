"""Write docs/cli.md from the ``ceasefire`` Typer app (``ceasefire.cli:app``, with every area's
commands registered), so that the reference lists exactly the commands there are.

    .venv/bin/python scripts/cli_reference.py            # rewrite docs/cli.md
    .venv/bin/python scripts/cli_reference.py --check    # exit 1 if docs/cli.md is stale
    .venv/bin/python scripts/cli_reference.py --stdout   # print it instead

``tests/unit/test_docs.py`` fails when docs/cli.md differs from what this renders.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import typer.main
from typer.core import TyperGroup

from ceasefire.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

INTRO = """\
# The `ceasefire` command line

Every command takes `--json` for machine-readable output; errors are printed once, with their
code (`[E422] ...`) and every problem's location, and end with exit code 2 for invalid input and
1 otherwise. The commands read the same settings as the server (`CEASEFIRE_DATABASE_URL`,
`CEASEFIRE_KEY_FILE`, `CEASEFIRE_DATA_DIR`, see [operations.md](operations.md)); commands that act
for a member take `--token`, otherwise they act as the centre's operator. `ceasefire COMMAND
--help` gives every option.

Tables are laid out for the terminal's width (80 columns when the output is not a terminal):
ids, codes and instants are never cut (instants print to the minute, `2020-11-10 05:30Z`) and
text wraps at spaces; where the columns do not all fit, whole columns are left out and named
under the table. `--json` always gives every field.

The output speaks the centre's working languages: `ceasefire --lang ru COMMAND` (the option
comes before the command), else `CEASEFIRE_LANG` (`en`, `ru`, `tr`), else the POSIX locale
(the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set: `ru_RU.UTF-8` is Russian, `tr_TR`
Turkish; `C`, `POSIX` and other languages English). Messages, table titles and headings and
error lines are translated (an error line also gives the code's title); ids, codes and stored
values are not, nor is any `--json`, CSV, GeoJSON or ledger output. `--help` pages are
translated too (this reference gives their English); the news and geoparsing evaluation tables
(developer figures) are English only. See [i18n.md](i18n.md).

Generated from the command line itself by `scripts/cli_reference.py` (do not edit by hand);
`tests/unit/test_docs.py` fails when this file is not what the script writes.
"""


def summary(text: str | None) -> str:
    """The first paragraph of a command's help, on one line, safe in a table cell."""
    paragraph = inspect.cleandoc(text or "").split("\n\n")[0]
    paragraph = paragraph.replace("\b", "")
    return " ".join(paragraph.split()).replace("|", "\\|")


def commands(group: TyperGroup, prefix: str = "") -> list[tuple[str, str]]:
    """``(full command, summary)`` of every visible command under ``group``, sorted."""
    rows = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        full = f"{prefix}{name}"
        if isinstance(command, TyperGroup):
            rows += commands(command, full + " ")
        else:
            rows.append((full, summary(command.help or command.short_help)))
    return rows


def render() -> str:
    """docs/cli.md as the current app describes it: top-level commands, then one section
    per command group."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    sections: dict[str, list[tuple[str, str]]] = {"general": []}
    for full, text in commands(group):
        head, _, rest = full.partition(" ")
        sections.setdefault(head if rest else "general", []).append((full, text))
    out = [INTRO]
    for section, rows in sections.items():
        out += [f"## {section}", "", "| command | what it does |", "|---|---|"]
        out += [f"| `ceasefire {full}` | {text} |" for full, text in rows]
        out.append("")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is stale")
    mode.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    text = render()
    if args.stdout:
        sys.stdout.write(text)
    elif args.check:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run scripts/cli_reference.py", file=sys.stderr)
            return 1
    else:
        DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
