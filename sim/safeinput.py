"""The one safe reader for every file the CLI reads: bytes → text → JSON or YAML, refusing
hostile input quickly with `file:line: message` (an `InputError`, exit status 2).

- `read_text(path)`: at most `MAX_BYTES`; UTF-8 only (a UTF-8 BOM is dropped; UTF-16/32 and
  invalid UTF-8 are refused with the line of the first bad byte); NUL bytes refused.
- `check_text(text, file)`: the same text checks for text that did not come from a file.
- `load_json(text, file)`: `json.loads` with nesting limited to `MAX_DEPTH` (no RecursionError).
- `SafeLoader` / `load_yaml(text, file)`: PyYAML's SafeLoader that caps nesting at `MAX_DEPTH`
  and the document's size after alias expansion at `MAX_NODES` (a "billion laughs" alias bomb is
  refused while composing, before anything expands it), and refuses recursive aliases.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.events import AliasEvent

from sim.errors import InputError

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100
MAX_NODES = 500_000

_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


class BadFile(InputError):
    """A file (or text from one) refused before parsing: `.file`, `.line` (or None), `.message`."""

    def __init__(self, message: str, file: str, line: int | None = None):
        self.file = file
        self.line = line
        super().__init__(message, where=_where(file, line))


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def _line_at(data: bytes | str, index: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, index) + 1


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of `data`, or InputError naming the line of the first byte that is not."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise BadFile(f"the file is {name}; save it as UTF-8", file, 1)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if b"\x00" in data[:4096] and data.count(b"\x00") * 4 > min(len(data), 4096):
            raise BadFile("the file looks like UTF-16 without a BOM; save it as UTF-8", file, line) from None
        raise BadFile(f"invalid UTF-8: byte 0x{data[exc.start]:02x} at column {column}", file, line) from None
    check_text(text, file)
    return text


def check_text(text: str, file: str) -> str:
    """`text` if it has no NUL character; else InputError at the line of the first one."""
    nul = text.find("\x00")
    if nul >= 0:
        if text.count("\x00") * 4 > max(len(text), 1):
            raise BadFile("the file looks like UTF-16 without a BOM; save it as UTF-8", file, _line_at(text, nul))
        raise BadFile("a NUL byte: this is not a text file", file, _line_at(text, nul))
    return text


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """The checked UTF-8 text of the file at `path` (InputError naming it otherwise)."""
    file = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise BadFile("no such file", file) from None
    except IsADirectoryError:
        raise BadFile("is a directory, not a file", file) from None
    except OSError as exc:
        raise BadFile(f"cannot read: {exc.strerror or exc}", file) from None
    if len(data) > max_bytes:
        raise BadFile(f"larger than {max_bytes // (1024 * 1024)} MiB", file)
    return decode(data, file)


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a JSON-like value (a scalar is 0), counting no further than `limit + 1`."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _line_of_depth(text: str, limit: int) -> int | None:
    """The line where JSON text first nests deeper than `limit` (strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return _line_at(text, i)
        elif ch in "]}":
            depth -= 1
    return None


def too_deep(file: str, line: int | None, limit: int = MAX_DEPTH) -> BadFile:
    return BadFile(f"nested deeper than {limit} levels", file, line)


def load_json(text: str, file: str, *, max_depth: int = MAX_DEPTH, **kwargs) -> Any:
    """`json.loads(text)` with nesting limited to `max_depth`; ValueError (JSONDecodeError) as usual."""
    check_text(text, file)
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise too_deep(file, _line_of_depth(text, max_depth), max_depth) from None
    if depth_of(value, max_depth) > max_depth:
        raise too_deep(file, _line_of_depth(text, max_depth), max_depth)
    return value


class SafeLoader(yaml.SafeLoader):
    """SafeLoader with nesting and alias-expansion caps (see the module docstring)."""

    max_depth = MAX_DEPTH
    max_nodes = MAX_NODES

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0
        self._sizes: dict[int, int] = {}
        # PyYAML's scanner reads a deeply nested flow collection ([[[[…) to its end before the
        # composer sees the first node, in quadratic time: refuse such text before scanning it
        self._flow_too_deep = None
        if isinstance(stream, str) and stream.count("[") + stream.count("{") > self.max_depth:
            self._flow_too_deep = _line_of_depth(stream, self.max_depth)

    def get_single_node(self):
        if self._flow_too_deep is not None:
            raise ComposerError(None, None, f"nested deeper than {self.max_depth} levels",
                                Mark("<unicode string>", 0, self._flow_too_deep - 1, 0, None, None))
        return super().get_single_node()

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise ComposerError(None, None, f"alias *{event.anchor} refers to a node that contains it",
                                    event.start_mark)
            self._count(size, event.start_mark)
            return node
        self._depth += 1
        if self._depth > self.max_depth:
            raise ComposerError(None, None, f"nested deeper than {self.max_depth} levels",
                                self.peek_event().start_mark)
        before = self._expanded
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, node.start_mark)
        self._sizes[id(node)] = self._expanded - before
        return node

    def _count(self, size: int, mark) -> None:
        self._expanded += size
        if self._expanded > self.max_nodes:
            raise ComposerError(None, None, f"more than {self.max_nodes} values once aliases are expanded "
                                "(an alias bomb?)", mark)


def load_yaml(text: str, file: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """One YAML document from `text`; InputError `file:line: invalid YAML: …` when it is not."""
    check_text(text, file)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BadFile(f"invalid YAML: {exc.problem or exc}", file, mark.line + 1 if mark else None) \
            from None
    except yaml.reader.ReaderError as exc:
        raise BadFile(f"invalid YAML: {reader_problem(exc)}", file, _line_at(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise BadFile(f"invalid YAML: {exc}", file) from None


def reader_problem(exc: yaml.reader.ReaderError) -> str:
    """PyYAML's reader complaint without its '<unicode string>' position suffix."""
    return f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else str(exc.reason)
