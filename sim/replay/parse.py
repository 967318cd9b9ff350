"""Read and validate an incident export; every problem names file, line and field (exit 2).

Accepted event files (several may be given; overlapping pages are merged by event id):

- one `GET /v1/events` page, `{"object": "list", "data": [event, …]}`, or a JSON array of pages
  or of events, or a single event;
- JSON lines (`stripe events list` / a Dashboard export): one event (or one page) per line;
- a bundle `{"name", "description", "events": <any of the above>, "deliveries": [attempt, …]}`.

A delivery log (`--deliveries FILE`, or the bundle's `deliveries`) is a JSON array, a
`{"data": […]}` page or JSON lines of attempts: `{"event_id" | "event", "attempted_at" | "created"
| "timestamp" (unix seconds or ISO-8601; naive means UTC), "status" | "http_status" |
"status_code" (an HTTP status, or null for no response), "reached" (default true: false when the
request never reached the endpoint), "endpoint" (optional; one endpoint per log)}`.

Each event needs `id` (evt_…), `type`, `created` (unix seconds) and `data.object` (an object);
`account`, when present, is an acct_ id. Unknown event types are accepted (and reported).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sim.clock import parse_instant
from sim.replay.errors import ExportError, Problem
from sim.replay.export import Attempt, Export, Recorded
from sim.safeinput import BadFile, load_json, read_text
from sim.scenario.schema_errors import render_path

SHAPES = ('a {"object": "list", "data": [...]} page, a JSON array of events or pages, JSON lines of events, '
          'or a bundle {"events": [...], "deliveries": [...]}')
ATTEMPT_SHAPES = 'a JSON array of attempts, a {"data": [...]} page, or JSON lines of attempts'
EVENT_KEYS = ("event_id", "event")
TIME_KEYS = ("attempted_at", "created", "timestamp")
STATUS_KEYS = ("status", "http_status", "status_code", "response_status")
_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


class _Sink:
    """Collects problems; `path` is a tuple of keys/indexes inside the document (or inside a line)."""

    def __init__(self, file: str, text: str, lines_mode: bool):
        self.file = file
        self.text = text
        self.lines_mode = lines_mode
        self.pending: list[tuple[int | None, tuple, str, int | None]] = []

    def add(self, line: int | None, path: tuple, message: str, fallback: int | None = None) -> None:
        """A problem at `line` (JSON lines), else at the JSON node `path` (else `fallback`)."""
        self.pending.append((line, path, message, fallback))

    def problems(self) -> list[Problem]:
        lines = None
        if not self.lines_mode and any(line is None and path for line, path, _, _ in self.pending):
            lines = _yaml_lines(self.text)
        out = []
        for line, path, message, fallback in self.pending:
            if line is None and lines is not None:
                line = _line_of(lines, path)
            out.append(Problem(self.file, line or fallback, render_path(path), message))
        return out


def _yaml_lines(text: str) -> dict | None:
    """Line numbers of a JSON document's nodes (JSON is YAML), only computed when reporting."""
    from sim.scenario.yamllines import load_with_lines

    try:
        return load_with_lines(text)[1]
    except Exception:  # noqa: BLE001 - best effort: a problem without a line still names its field
        return None


def _line_of(lines: dict, path: tuple) -> int | None:
    from sim.scenario.yamllines import line_of

    try:
        return line_of(lines, path)
    except Exception:  # noqa: BLE001
        return None


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


# -- one event --------------------------------------------------------------------------------------
def event_problems(value: Any) -> list[tuple[tuple, str]]:
    """What is wrong with one event object, as (field path, message) pairs; [] when it is fine."""
    if not isinstance(value, dict):
        return [((), f"expected an event object, got {_show(value)}")]
    out: list[tuple[tuple, str]] = []
    eid = value.get("id")
    if "id" not in value:
        out.append((("id",), "missing: every event needs its id (evt_…)"))
    elif not (isinstance(eid, str) and eid.startswith("evt_") and len(eid) > 4 and eid.isascii()
              and all(c.isalnum() or c == "_" for c in eid)):
        out.append((("id",), f"expected an event id like evt_1Q…, got {_show(eid)}"))
    if "object" in value and value["object"] != "event":
        out.append((("object",), f'expected "event", got {_show(value["object"])}'))
    etype = value.get("type")
    if "type" not in value:
        out.append((("type",), "missing: every event needs its type (e.g. payment_intent.succeeded)"))
    elif not (isinstance(etype, str) and _TYPE.match(etype)):
        out.append((("type",), f"expected an event type like payment_intent.succeeded, got {_show(etype)}"))
    created = value.get("created")
    if "created" not in value:
        out.append((("created",), "missing: every event needs created (unix seconds)"))
    elif not (isinstance(created, int) and not isinstance(created, bool) and 0 <= created < 2 ** 34):
        out.append((("created",), f"expected unix seconds (an integer), got {_show(created)}"))
    data = value.get("data")
    if "data" not in value:
        out.append((("data",), "missing: every event needs data.object"))
    elif not isinstance(data, dict):
        out.append((("data",), f"expected an object with data.object, got {_show(data)}"))
    elif "object" not in data:
        out.append((("data", "object"), "missing: every event needs data.object"))
    elif not isinstance(data["object"], dict):
        out.append((("data", "object"), f"expected an object, got {_show(data['object'])}"))
    else:
        oid = data["object"].get("id")
        if oid is not None and not isinstance(oid, str):
            out.append((("data", "object", "id"), f"expected a string id, got {_show(oid)}"))
    account = value.get("account")
    if account is not None and not (isinstance(account, str) and re.fullmatch(r"acct_[A-Za-z0-9]+", account)):
        out.append((("account",), f"expected a Connect account id like acct_1Q…, got {_show(account)}"))
    return out


# -- one attempt ------------------------------------------------------------------------------------
def parse_time(value: Any) -> float:
    """Unix seconds (int or float, or digits) or an ISO-8601 instant; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("expected unix seconds or an ISO-8601 time")
    if isinstance(value, int | float):
        if not 0 <= value < 2 ** 34:
            raise ValueError("unix seconds out of range")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return parse_time(float(text))
        try:
            return parse_instant(text).timestamp()
        except ValueError:
            pass
    raise ValueError("expected unix seconds or an ISO-8601 time like 2026-03-02T09:00:00Z")


def attempt_fields(value: Any) -> tuple[dict | None, list[tuple[tuple, str]]]:
    """({event_id, at, status, reached, endpoint}, []) or (None, problems) for one log entry."""
    if not isinstance(value, dict):
        return None, [((), f"expected an attempt object, got {_show(value)}")]
    out: list[tuple[tuple, str]] = []
    key = next((k for k in EVENT_KEYS if k in value), None)
    event_id = value.get(key) if key else None
    if isinstance(event_id, dict):
        event_id = event_id.get("id")
    if key is None:
        out.append(((), "missing: which event (event_id)"))
    elif not (isinstance(event_id, str) and event_id.startswith("evt_")):
        out.append(((key,), f"expected an event id like evt_1Q…, got {_show(value.get(key))}"))
    tkey = next((k for k in TIME_KEYS if k in value), None)
    at = None
    if tkey is None:
        out.append(((), "missing: when (attempted_at, unix seconds or ISO-8601)"))
    else:
        try:
            at = parse_time(value[tkey])
        except ValueError as exc:
            out.append(((tkey,), f"{exc}, got {_show(value[tkey])}"))
    skey = next((k for k in STATUS_KEYS if k in value), None)
    status = None
    if skey is None:
        out.append(((), "missing: the HTTP status (status; null for no response)"))
    else:
        raw = value[skey]
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw)
        if isinstance(raw, str) and raw.strip().lower() in ("timeout", "timed_out", "none", ""):
            raw = None
        if raw is not None and not (isinstance(raw, int) and not isinstance(raw, bool) and 100 <= raw <= 599):
            out.append(((skey,), f"expected an HTTP status (100-599) or null, got {_show(value[skey])}"))
        else:
            status = raw
    reached = value.get("reached", True)
    if not isinstance(reached, bool):
        out.append((("reached",), f"expected true or false, got {_show(reached)}"))
    endpoint = value.get("endpoint")
    if endpoint is not None and not isinstance(endpoint, str):
        out.append((("endpoint",), f"expected an endpoint id, got {_show(endpoint)}"))
    if out:
        return None, out
    return {"event_id": event_id, "at": at, "status": status, "reached": reached, "endpoint": endpoint}, []


# -- documents ---------------------------------------------------------------------------------------
class _Doc:
    """The raw entries of one file: (value, line, path) for events and attempts."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, int | None, tuple]] = []
        self.attempts: list[tuple[Any, int | None, tuple]] | None = None
        self.name: str | None = None
        self.description: str | None = None


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and value.get("object") == "list"


def _events_from(value: Any, path: tuple, doc: _Doc, sink: _Sink, line: int | None = None) -> None:
    if _is_page(value):
        data = value.get("data")
        if not isinstance(data, list):
            sink.add(line, (*path, "data"), f"expected the page's array of events, got {_show(data)}")
            return
        for i, item in enumerate(data):
            doc.events.append((item, line, (*path, "data", i)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if _is_page(item):
                _events_from(item, (*path, i), doc, sink, line)
            else:
                doc.events.append((item, line, (*path, i)))
    elif isinstance(value, dict) and ("type" in value or value.get("object") == "event" or "id" in value):
        doc.events.append((value, line, path))
    else:
        sink.add(line, path, f"expected {SHAPES}")


def _attempts_from(value: Any, path: tuple, doc: _Doc, sink: _Sink, line: int | None = None) -> None:
    if doc.attempts is None:
        doc.attempts = []
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value, path = value["data"], (*path, "data")
    if isinstance(value, dict) and isinstance(value.get("deliveries"), list):
        value, path = value["deliveries"], (*path, "deliveries")
    if isinstance(value, list):
        for i, item in enumerate(value):
            doc.attempts.append((item, line, (*path, i)))
    elif isinstance(value, dict) and line is not None:
        doc.attempts.append((value, line, path))
    else:
        sink.add(line, path, f"expected {ATTEMPT_SHAPES}")


def _document(text: str, file: str, kind: str) -> tuple[_Doc, _Sink]:
    doc = _Doc()
    if not text.strip():
        sink = _Sink(file, text, True)
        sink.add(None, (), f"empty file: expected {SHAPES if kind == 'events' else ATTEMPT_SHAPES}")
        return doc, sink
    try:
        data = load_json(text, file)
    except BadFile as exc:
        sink = _Sink(file, text, True)
        sink.add(exc.line, (), exc.message)
        return doc, sink
    except json.JSONDecodeError as exc:
        body = [ln for ln in text.splitlines() if ln.strip()]
        first_ok = False
        if len(body) > 1:
            try:
                load_json(body[0], file)
                first_ok = True
            except (json.JSONDecodeError, BadFile):
                pass
        if not first_ok:
            sink = _Sink(file, text, True)
            sink.add(exc.lineno, (), f"invalid JSON: {exc.msg} (column {exc.colno})")
            return doc, sink
        return _json_lines(text, file, kind)
    sink = _Sink(file, text, False)
    if kind == "attempts":
        _attempts_from(data, (), doc, sink)
    elif isinstance(data, dict) and ("events" in data or "deliveries" in data):
        for key in ("name", "description"):
            if key in data and not isinstance(data[key], str):
                sink.add(None, (key,), f"expected text, got {_show(data[key])}")
        doc.name = data.get("name") if isinstance(data.get("name"), str) else None
        doc.description = data.get("description") if isinstance(data.get("description"), str) else None
        if "events" not in data:
            sink.add(None, (), 'a bundle needs "events"')
        else:
            _events_from(data["events"], ("events",), doc, sink)
        if data.get("deliveries") is not None:
            _attempts_from(data["deliveries"], ("deliveries",), doc, sink)
        unknown = sorted(set(data) - {"name", "description", "events", "deliveries"})
        if unknown:
            sink.add(None, (unknown[0],), 'unknown bundle key: expected name, description, events, deliveries')
    else:
        _events_from(data, (), doc, sink)
    return doc, sink


def _json_lines(text: str, file: str, kind: str) -> tuple[_Doc, _Sink]:
    doc = _Doc()
    sink = _Sink(file, text, True)
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = load_json(raw, file)
        except BadFile as exc:
            sink.add(n, (), exc.message)
            continue
        except json.JSONDecodeError as exc:
            sink.add(n, (), f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if kind == "attempts":
            _attempts_from(value, (), doc, sink, n)
        else:
            _events_from(value, (), doc, sink, n)
    return doc, sink


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def _line_of_id(text: str, eid: str) -> int | None:
    pos = text.find(json.dumps(eid))
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


# -- the export ---------------------------------------------------------------------------------------
def parse_text(text: str, file: str = "<export>", deliveries: tuple[str, str] | None = None) -> Export:
    """Parse one export's text (and optionally a delivery log's (text, file)); ExportError if bad."""
    return _build([(file, text)], deliveries)


def load_export(paths: list[str], deliveries: str | None = None) -> Export:
    """Read export files (and a delivery log); ExportError naming file, line and field if anything is bad."""
    texts = [(str(p), _read(str(p))) for p in paths]
    log = (_read(deliveries), deliveries) if deliveries else None
    return _build(texts, log)


def _read(path: str) -> str:
    try:
        return read_text(path)
    except BadFile as exc:
        raise ExportError([Problem(exc.file, exc.line, "", exc.message)]) from None


def _build(texts: list[tuple[str, str]], log: tuple[str, str] | None) -> Export:
    docs = [(*_document(text, file, "events"), file, text) for file, text in texts]
    if log is not None:
        text, file = log
        docs.append((*_document(text, file, "attempts"), file, text))
    name = next((d.name for d, *_ in docs if d.name), None)
    description = next((d.description for d, *_ in docs if d.description), None)
    raw_events: list[tuple[dict, str, int | None]] = []
    for doc, sink, file, text in docs:
        for value, line, path in doc.events:
            eid = value.get("id") if isinstance(value, dict) else None
            at = line or (_line_of_id(text, eid) if isinstance(eid, str) and eid else None)
            found = event_problems(value)
            for sub, message in found:
                sink.add(line, (*path, *sub), message, at)
            if not found:
                raw_events.append((value, file, at))
    merge_problems: list[Problem] = []
    events = _merge(raw_events, merge_problems)
    known = {r.id for r in events}
    have_log = any(doc.attempts is not None for doc, *_ in docs)
    raw_attempts: list[tuple[dict, str]] = []
    endpoints: dict[str, set[str]] = {}  # event id -> the endpoints its attempts went to
    for doc, sink, file, _text in docs:
        for value, line, path in doc.attempts or []:
            fields, found = attempt_fields(value)
            for sub, message in found:
                sink.add(line, (*path, *sub), message)
            if fields is None:
                continue
            if fields["event_id"] not in known:
                key = next(k for k in EVENT_KEYS if k in value)
                sink.add(line, (*path, key), f"{fields['event_id']} is not among the exported events")
                continue
            if fields["endpoint"]:
                endpoints.setdefault(fields["event_id"], set()).add(fields["endpoint"])
            raw_attempts.append((fields, _where(file, line) + (f" {render_path(path)}" if path else "")))
    problems = [p for _, sink, _, _ in docs for p in sink.problems()] + merge_problems
    mixed = sorted(eid for eid, eps in endpoints.items() if len(eps) > 1)
    if mixed:
        eps = sorted(endpoints[mixed[0]])
        problems.append(Problem(docs[-1][2], None, "endpoint",
                                f"{mixed[0]} has attempts to several endpoints ({', '.join(eps)}): keep the "
                                f"attempts of the endpoint that serves the marketplace (one per event)"))
    if not problems and not events:
        problems.append(Problem(texts[0][0], None, "", f"no events: expected {SHAPES}"))
    if problems:
        raise ExportError(problems)
    attempts = None
    if have_log:
        attempts = [Attempt(f["event_id"], f["at"], f["status"], f["reached"], where, i)
                    for i, (f, where) in enumerate(raw_attempts)]
        attempts.sort(key=lambda a: (a.at, a.order))
    export = Export(files=[f for f, _ in texts], events=events, attempts=attempts, name=name,
                    description=description)
    late = [a for a in attempts or [] if a.at < export.event(a.event_id).created]
    if late:
        export.notes.append(f"{len(late)} attempt(s) logged before their event was created (clock skew): "
                            f"replayed when the event exists")
    if attempts is None:
        export.notes.append("no delivery log: each event is delivered once, 1 s after it was created")
    return export


def _merge(raw: list[tuple[dict, str, int | None]], problems: list[Problem]) -> list[Recorded]:
    """Events by id (identical repeats from overlapping pages dropped), oldest first. Stripe lists
    newest first: when the file order mostly descends, ties on `created` keep the reverse order."""
    seen: dict[str, tuple[dict, str]] = {}
    unique: list[tuple[dict, str]] = []
    for event, file, line in raw:
        where = _where(file, line)
        first = seen.get(event["id"])
        if first is None:
            seen[event["id"]] = (event, where)
            unique.append((event, where))
        elif first[0] != event:
            problems.append(Problem(file, line, "id", f"{event['id']} appears twice with different content "
                                                      f"(first at {first[1]})"))
    created = [e["created"] for e, _ in unique]
    down = sum(a > b for a, b in zip(created, created[1:], strict=False))
    up = sum(a < b for a, b in zip(created, created[1:], strict=False))
    sign = -1 if down > up else 1
    order = sorted(range(len(unique)), key=lambda i: (unique[i][0]["created"], sign * i))
    return [Recorded(unique[i][0], unique[i][1], n) for n, i in enumerate(order)]


def iso(ts: float) -> str:
    """Unix seconds as an ISO-8601 UTC instant (milliseconds when there is a fraction)."""
    from datetime import UTC

    dt = datetime.fromtimestamp(ts, UTC)
    spec = "milliseconds" if dt.microsecond else "seconds"
    return dt.isoformat(timespec=spec).replace("+00:00", "Z")
