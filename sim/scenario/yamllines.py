"""YAML with line numbers: `load_with_lines(text)` → (data, lines) where `lines[path]` is the
1-based line of the node at `path` (a tuple of keys and indexes; for a mapping entry, the line
of its key).

The loader is a PyYAML SafeLoader subclass with YAML 1.2-like scalars, so a scenario means what
it looks like: `start: 2026-03-02T09:00:00Z` stays a string (no datetime), `until: 02:00` stays
"02:00" (no base-60 integer 120), and only `true`/`false` are booleans (`on`, `no`, `yes` are
strings). Duplicate keys are an error, not a silent overwrite. It is `sim.safeinput.SafeLoader`
underneath: nesting and alias expansion are capped, so a hostile file fails fast with its line.
"""

from __future__ import annotations

import re

import yaml
import yaml.reader

from sim.errors import InputError
from sim.safeinput import SafeLoader, reader_problem

Path = tuple


class YamlError(InputError):
    """A YAML syntax or structure problem at a line (1-based)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message, where=str(line) if line else None)
        self.line = line


class LineLoader(SafeLoader):
    """SafeLoader with YAML 1.2-style implicit scalars (see module docstring)."""


LineLoader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)"
                                         r"|[-+]?0x[0-9a-fA-F_]+)$"), list("-+0123456789")),
    ("tag:yaml.org,2002:float", re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
                                           r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
                                           r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
                                           r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
     list("-+0123456789.")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
]
for _tag, _regexp, _first in _RESOLVERS:
    LineLoader.add_implicit_resolver(_tag, _regexp, _first)


def load_with_lines(text: str) -> tuple[object, dict[Path, int]]:
    """Parse one YAML document; return its data and a map from node path to 1-based line."""
    loader = LineLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            raise YamlError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
        except yaml.reader.ReaderError as exc:
            raise YamlError(f"invalid YAML: {reader_problem(exc)}", text.count("\n", 0, exc.position) + 1) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"invalid YAML: {exc}", None) from None
        lines: dict[Path, int] = {}
        if node is None:
            return None, lines
        data = _build(loader, node, (), lines)
        return data, lines
    finally:
        loader.dispose()


def _build(loader: LineLoader, node, path: Path, lines: dict[Path, int]):
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise YamlError("a mapping key must be a scalar", key_node.start_mark.line + 1)
            if key in out:
                raise YamlError(f"duplicate key {key!r} (first at line {lines[(*path, key)]})",
                                key_node.start_mark.line + 1)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    path = tuple(path)
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]
