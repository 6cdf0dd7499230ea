"""YAML that remembers where every value came from, so errors can name the line.

PyYAML's composer keeps a start mark on every node; this module builds plain Python values
from the node tree and a map from each value's path (``("provisions", 3, "deadline")``) to
its 1-based line. Dates and times stay strings: the agreement file gives them with a time
zone beside them, and PyYAML's own timestamp conversion would drop or guess that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_

Path = tuple[str | int, ...]


# libyaml's parser is about ten times faster and keeps the same marks; pure Python otherwise.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader without the implicit timestamp type: ``2020-11-10`` stays a string."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LocatedDocument:
    """A parsed YAML document, the line of each path in it, and problems found parsing it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[tuple[Path, int | None, str]] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                return line
        return None


def load_located(text: str) -> LocatedDocument:
    """Parse ``text``; syntax errors and duplicate keys become problems, not exceptions."""
    loader = _PlainLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        said = worded_text(N_("YAML syntax: %(problem)s"), problem=message)
        return LocatedDocument(data=None, problems=[((), line, said)])
    except yaml.YAMLError as exc:
        said = worded_text(N_("YAML: %(problem)s"), problem=exc)
        return LocatedDocument(data=None, problems=[((), None, said)])
    finally:
        loader.dispose()
    document = LocatedDocument(data=None)
    if node is None:
        return document
    document.data = _build(node, (), document, loader, set())
    return document


# Deeper than any agreement file nests (a zone's coordinates are four levels below its zone).
MAX_DEPTH = 64


def _build(
    node: yaml.Node, path: Path, document: LocatedDocument, loader: _PlainLoader, built: set[int]
) -> Any:
    """The value of ``node``. A list or mapping is built once: an alias of one (``*name``
    where ``&name`` marks a list or mapping) is refused, as is nesting past ``MAX_DEPTH``,
    so the work is linear in the file. Otherwise nine lines of aliases nine times each
    ("billion laughs") build 9⁹ values, and an alias inside its own anchor never ends.
    Aliases of scalars (a shared ``precision`` text) are what files use them for."""
    line = node.start_mark.line + 1
    document.lines[path] = line
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in built:
            # The node is the anchored one: its line is the anchor's; the alias is in its parent.
            where = document.lines.get(path[:-1], line) if path else line
            document.problems.append(
                (
                    path,
                    where,
                    worded_text(
                        N_("an alias of the list or mapping of line %(line)s: write it out"),
                        line=line,
                    ),
                )
            )
            return None
        if len(path) >= MAX_DEPTH:
            deep = worded_text(N_("nested deeper than %(limit)s levels"), limit=MAX_DEPTH)
            document.problems.append((path, line, deep))
            return None
        built.add(id(node))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                # ``? [...]``: no agreement key is one, and ``str`` of an aliased one is the
                # billion laughs again.
                document.problems.append(
                    (
                        path,
                        key_node.start_mark.line + 1,
                        worded_text(N_("a key must be a name, not a list or mapping")),
                    )
                )
                continue
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                document.problems.append(
                    (
                        (*path, key),
                        key_node.start_mark.line + 1,
                        worded_text(N_("duplicate key %(key)s"), key=repr(key)),
                    )
                )
                continue
            child = (*path, key)
            result[key] = _build(value_node, child, document, loader, built)
            # A key's own line is more useful than its value's (a block starts one line on).
            document.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), document, loader, built)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def render_path(path: Path) -> str:
    """``("provisions", 3, "deadline")`` → ``provisions[3].deadline``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"
