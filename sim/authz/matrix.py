"""Load and check an authorization matrix against a GraphQL schema (for `sim authz`).

`load(matrix_path, schema_path)` → `Matrix` or `MatrixError` (an InputError) listing every problem
as `file:line: field: message`: the matrix must be a JSON object with `operations`, each naming a
`field` of the schema's Query or Mutation type (and that type), a `resource`, an `allow` list of
known caller kinds and a `play` recipe; every Query/Mutation field of the schema must be covered
by at least one operation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from handlers.common.authz import CALLERS
from sim.errors import InputError

RESOURCES = ("booking", "conversation", "user", "execution", "webhook", "none")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MATRIX = ROOT / "handlers" / "common" / "authz_matrix.json"
DEFAULT_SCHEMA = ROOT / "handlers" / "appsync" / "schema.graphql"


class MatrixError(InputError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Matrix:
    operations: dict[str, dict]
    fields: dict[str, str]   # GraphQL field -> Query | Mutation
    file: str


def _line_of(text: str, needle: str) -> int:
    idx = text.find(needle)
    return text.count("\n", 0, idx) + 1 if idx >= 0 else 1


def _schema_fields(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    from graphql import GraphQLError, build_schema

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError([f"{path}:1: schema: cannot read: {exc.strerror}"]) from None
    from sim.serve.graphql_api import PRELUDE  # AppSync's built-in scalars and directives

    offset = PRELUDE.count("\n")
    try:
        schema = build_schema(PRELUDE + text)
    except GraphQLError as exc:
        line = exc.locations[0].line - offset if exc.locations else 1
        raise MatrixError([f"{path}:{max(line, 1)}: schema: {exc.message}"]) from None
    fields, lines = {}, {}
    for kind, typ in (("Query", schema.query_type), ("Mutation", schema.mutation_type)):
        for name, f in (typ.fields if typ else {}).items():
            fields[name] = kind
            lines[name] = (f.ast_node.loc.source.get_location(f.ast_node.loc.start).line - offset
                           if f.ast_node else 1)
    return fields, lines


def load(matrix_path: str | Path = DEFAULT_MATRIX, schema_path: str | Path = DEFAULT_SCHEMA) -> Matrix:
    mpath, spath = Path(matrix_path), Path(schema_path)
    try:
        text = mpath.read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError([f"{mpath}:1: matrix: cannot read: {exc.strerror}"]) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MatrixError([f"{mpath}:{getattr(exc, 'lineno', 1)}: matrix: not JSON: {getattr(exc, 'msg', exc)}"]) \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("operations"), dict) or not data["operations"]:
        raise MatrixError([f"{mpath}:1: operations: expected an object of operations"])
    fields, field_lines = _schema_fields(spath)
    problems = []
    for name, spec in data["operations"].items():
        where = f"{mpath}:{_line_of(text, json.dumps(name))}: operations.{name}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected an object")
            continue
        field = spec.get("field")
        if field not in fields:
            problems.append(f"{where}.field: {field!r} is not a Query or Mutation field of {spath.name}")
        elif spec.get("type", fields[field]) != fields[field]:
            problems.append(f"{where}.type: {field} is a {fields[field]} field, not {spec.get('type')}")
        if spec.get("resource") not in RESOURCES:
            problems.append(f"{where}.resource: expected one of {', '.join(RESOURCES)}, got {spec.get('resource')!r}")
        allow = spec.get("allow")
        if not isinstance(allow, list) or any(c not in CALLERS for c in allow):
            problems.append(f"{where}.allow: expected a list of {', '.join(CALLERS)}")
        if not isinstance((spec.get("play") or {}).get("arguments"), dict):
            problems.append(f"{where}.play.arguments: expected the operation's arguments (an object)")
    covered = {s.get("field") for s in data["operations"].values() if isinstance(s, dict)}
    for field, kind in sorted(fields.items()):
        if field not in covered:
            problems.append(f"{spath}:{field_lines[field]}: {kind}.{field}: no operation of the matrix covers it")
    if problems:
        raise MatrixError(problems)
    return Matrix(data["operations"], fields, str(mpath))
