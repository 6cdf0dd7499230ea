"""Regenerate docs/cli.md from the Typer app: .venv/bin/python scripts/cli_reference.py > docs/cli.md"""

import typer.main

from ceasefire.cli.main import app

g = typer.main.get_command(app)
out = [
    "# The `ceasefire` command line",
    "",
    "Every command takes `--json` for machine-readable output; errors are printed once, with their",
    "code (`[E422] ...`) and every problem's location, and end with exit code 2 for invalid input and",
    "1 otherwise. The commands read the same settings as the server (`CEASEFIRE_DATABASE_URL`,",
    "`CEASEFIRE_KEY_FILE`, `CEASEFIRE_DATA_DIR`, see [operations.md](operations.md)); commands that act",
    "for a member take `--token`, otherwise they act as the centre's operator.",
    "`tests/unit/test_docs.py` fails when a command is missing here.",
    "",
]


def walk(group, prefix=""):
    rows = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if isinstance(cmd, typer.main.TyperGroup):
            rows += walk(cmd, full + " ")
        else:
            help_ = (cmd.help or "").strip().split("\n")[0]
            rows.append((full, help_))
    return rows


rows = walk(g)
sections = {}
for full, help_ in rows:
    sections.setdefault(full.split(" ")[0] if " " in full else "general", []).append((full, help_))
for sec, items in sections.items():
    out.append(f"## {sec}")
    out.append("")
    out.append("| command | what it does |")
    out.append("|---|---|")
    for full, help_ in items:
        out.append(f"| `ceasefire {full}` | {help_.replace('|', '/')} |")
    out.append("")
print("\n".join(out))
