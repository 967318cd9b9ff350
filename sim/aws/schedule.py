"""EventBridge schedule expressions on virtual time: `rate(5 minutes)` and AWS's six-field
`cron(minutes hours day-of-month month day-of-week year)` — `*`, `?`, lists, ranges, steps,
`L`-less subset — evaluated in UTC. `next_fire(expr, after)` is the first instant strictly after."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sim.errors import InputError

_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MON = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199)]
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _field(text: str, lo: int, hi: int, names: dict[str, int]) -> set[int] | None:
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = lo, hi
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = int(names.get(a.upper(), a)), int(names.get(b.upper(), b))
        else:
            start = int(names.get(part.upper(), part))
            end = hi if step > 1 else start
        if not (lo <= start <= hi and lo <= end <= hi) or step < 1:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def parse(expr: str):
    m = re.fullmatch(r"rate\((\d+) (minutes?|hours?|days?)\)", expr.strip())
    if m:
        return ("rate", int(m.group(1)) * _RATE_UNITS[m.group(2)])
    m = re.fullmatch(r"cron\((.+)\)", expr.strip())
    if not m or len(m.group(1).split()) != 6:
        raise InputError(f"not a schedule expression AWS accepts: {expr!r} (use rate(N unit) or "
                         f"cron(min hour dom month dow year))", field="ScheduleExpression")
    parts = m.group(1).split()
    try:
        fields = [_field(p, lo, hi, names) for p, (lo, hi), names in
                  zip(parts, _RANGES, [{}, {}, {}, _MON, _DOW, {}], strict=True)]
    except ValueError as exc:
        raise InputError(f"bad field {exc} in {expr!r}", field="ScheduleExpression") from None
    return ("cron", fields)


def next_fire(expr: str, after: datetime) -> datetime:
    kind, spec = parse(expr)
    if kind == "rate":
        return after + timedelta(seconds=spec)
    minutes, hours, doms, months, dows, years = spec
    t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60 * 2):
        if ((years is None or t.year in years) and (months is None or t.month in months)
                and (doms is None or t.day in doms) and (dows is None or (t.isoweekday() % 7) + 1 in dows)):
            if (hours is None or t.hour in hours) and (minutes is None or t.minute in minutes):
                return t
            t += timedelta(minutes=1)
        else:
            t = (t + timedelta(days=1)).replace(hour=0, minute=0)
    raise InputError(f"{expr!r} never fires within two years of {after.isoformat()}", field="ScheduleExpression")
