"""Count the coded errors (``ceasefire.errors.CeasefireError`` and its subclasses) built with
an English message of their own instead of a catalogue wording (``.worded(N_(...))``): what a
Russian or Turkish reader would see in English on a page or in the command line.

    .venv/bin/python scripts/unworded_errors.py            # counts per file, and the total
    .venv/bin/python scripts/unworded_errors.py --list     # every site, file:line and its text

A site counts where a call of an error class (``NotFound(...)``, ``errors.Conflict(...)``),
or of ``errors.problem(loc, message)`` (a ``details`` entry, which pages show beside the
field and the CLI prints line by line; the report checks' ``probs.add(loc, message)`` too),
has a message that is a string literal, an f-string, or an expression made of them
(``"a" + b``, ``"...".format(...)``, ``"; ".join(...)``); a message passed on in a variable
(``raise Conflict(message)``) is counted apart, as "passed on". ``.worded(...)`` calls and
re-raises are not sites, nor a ``problem`` whose message is marked (``N_("too large")``).
A checker's own problem list counts too: ``self.problem(path, message)`` and
``self.report(path, message)`` (the agreement file's and its compliance rules' checkers,
whose problems become ``details`` entries) and ``problems.append(message)`` (or a tuple
holding it: the YAML reader's ``(path, line, message)``), where the message is written at
the site; they word it with ``N_`` and named parameters (``errors.worded_text``).
``tests/unit/test_error_wording.py`` fails on any site.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ceasefire"


def error_classes(package: Path = PACKAGE) -> set[str]:
    """The names of ``CeasefireError`` and every class that derives from it in the package."""
    names = {"CeasefireError"}
    bases: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                )
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in names and parents & names:
                names.add(name)
                grew = True
    return names


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    cls: str
    message: str
    literal: bool
    """The message is written at the site (a literal, an f-string or made of them)."""


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) or _is_literal(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal(node.body) or _is_literal(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _is_literal(node.func.value)  # "...".format(...), "; ".join(...)
    return False


def _is_marked(node: ast.expr) -> bool:
    """``N_("...")``: a catalogue msgid."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"


def _is_problem(func: ast.expr) -> bool:
    """``problem(...)`` or ``errors.problem(...)``: a ``details`` entry (not a method of
    that name)."""
    return isinstance(func, ast.Name) or (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "errors"
    )


_CHECKER_METHODS = frozenset({"problem", "report"})
CHECKER_LISTS = ("agreements",)
"""The areas whose ``problems`` lists become ``details`` entries (the agreement file's
checkers); the ledger's verifiers keep lists of findings of their own."""


def _checker_message(node: ast.Call, path: Path) -> ast.expr | None:
    """The message of a checker's problem written at the site, if ``node`` reports one:
    ``self.problem(path, "...")``, ``self.report(path, f"...")``, ``problems.append("...")``
    or ``problems.append((path, line, f"..."))``."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    if (
        func.attr in _CHECKER_METHODS
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
        and len(node.args) >= 2  # (path, message)
    ):
        message = node.args[1]
        return message if _is_literal(message) else None
    named = (
        func.value.attr
        if isinstance(func.value, ast.Attribute)
        else getattr(func.value, "id", None)
    )
    listed = path.parent.name in CHECKER_LISTS
    if listed and func.attr == "append" and named == "problems" and len(node.args) == 1:
        item = node.args[0]
        parts = item.elts if isinstance(item, ast.Tuple) else [item]
        return next((p for p in parts if _is_literal(p)), None)
    return None


def _is_collected_problem(func: ast.expr) -> bool:
    """``probs.add(loc, message, ...)``: a ``details`` entry through the report checks'
    collector (``reports.model._Problems``), which passes its message on to ``problem``."""
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "add"
        and isinstance(func.value, ast.Name)
        and func.value.id == "probs"
    )


def sites(package: Path = PACKAGE) -> Iterator[Site]:
    """Every call of an error class with a message, and every ``details`` entry
    (``errors.problem(loc, message)``, its class given as ``problem``), in file order."""
    classes = error_classes(package)
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            said = _checker_message(node, path)
            if said is not None:
                yield Site(
                    str(path.relative_to(package.parent)),
                    node.lineno,
                    name or "problem",
                    ast.unparse(said),
                    literal=True,
                )
                continue
            if (name == "problem" and _is_problem(func)) or _is_collected_problem(func):
                if len(node.args) < 2:
                    continue
                message: ast.expr | None = node.args[1]
                if _is_marked(message):
                    continue
                name = "problem"
            elif name not in classes:
                continue
            else:
                message = node.args[0] if node.args else None
            for keyword in node.keywords:
                if keyword.arg == "message":
                    message = keyword.value
            if message is None:
                continue
            yield Site(
                str(path.relative_to(package.parent)),
                node.lineno,
                name,
                ast.unparse(message),
                _is_literal(message),
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every site")
    args = parser.parse_args(argv)
    per_file: dict[str, list[int]] = {}
    literal = passed = 0
    for site in sites():
        counts = per_file.setdefault(site.path, [0, 0])
        counts[0 if site.literal else 1] += 1
        literal += site.literal
        passed += not site.literal
        if args.list:
            kind = "" if site.literal else "  (passed on)"
            print(f"{site.path}:{site.line} {site.cls}({site.message}){kind}")
    if not args.list:
        for path, (lit, other) in sorted(per_file.items()):
            print(f"{lit:4d} {other:3d}  {path}")
    print(f"unworded: {literal} written at the site, {passed} passed on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
