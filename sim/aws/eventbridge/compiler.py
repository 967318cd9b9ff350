"""The rule compiler: like ``JsonRuleCompiler`` (with ``$or``), falling back to the legacy
``RuleCompiler`` exactly when ruler's ``Machine.addRule`` does; and the wildcard complexity limit."""

from __future__ import annotations

from sim.aws.eventbridge.errors import _IllegalArgument, _ParseError
from sim.aws.eventbridge.lexer import (
    _NUMERIC_TOKENS,
    END_ARRAY,
    END_OBJECT,
    FIELD_NAME,
    START_ARRAY,
    START_OBJECT,
    VALUE_FALSE,
    VALUE_NULL,
    VALUE_STRING,
    VALUE_TRUE,
    _Lexer,
)
from sim.aws.eventbridge.values import (
    _AnythingBut,
    _cidr,
    _comparable,
    _Exact,
    _ExactNumber,
    _Exists,
    _ignore_case_regex,
    _ip_range_if_possible,
    _IpRange,
    _Literal,
    _Matcher,
    _NumericRange,
    _parse_wildcard,
    _Prefix,
    _Regex,
    _Suffix,
    _Wildcard,
    _WildcardError,
)

# --------------------------------------------------------------------------------------------
# The rule compiler (JsonRuleCompiler / RuleCompiler)
# --------------------------------------------------------------------------------------------

_RESERVED_IN_OR = frozenset(
    "exactly equals-ignore-case prefix suffix anything-but exists wildcard numeric cidr "
    "= < <= > >= regex not-wildcard not-equals-ignore-case date-after date-on-or-after "
    "date-before date-on-or-before in-date-range ip-address-in-range ip-address-not-in-range".split()
)

Branch = dict  # dotted path -> list of matchers


class _Compiler:
    def __init__(self, text: str, with_or: bool):
        self.lx = _Lexer(text)
        self.with_or = with_or

    def barf(self, message: str) -> _ParseError:
        return self.lx.error(message)

    def compile(self) -> list[Branch]:
        lx = self.lx
        if lx.next() != START_OBJECT:
            raise self.barf("Filter is not an object")
        rules: list[Branch] = [] if self.with_or else [{}]
        self._object(rules, [], inside_or=False)
        return rules

    def _object(self, rules: list[Branch], path: list[str], inside_or: bool) -> None:
        lx = self.lx
        present = False
        while lx.next() != END_OBJECT:
            present = True
            name = lx.name
            if self.with_or and name == "$or":
                self._or(rules, path)
                continue
            if inside_or and name in _RESERVED_IN_OR:
                raise self.barf(f"{name} is Ruler reserved fieldName which cannot be used inside $or.")
            token = lx.next()
            if token == START_OBJECT:
                self._object(rules, [*path, name], inside_or)
            elif token == START_ARRAY:
                self._values(rules, ".".join([*path, name]))
            else:
                raise self.barf(f'"{name}" must be an object or an array')
        if not present:
            raise self.barf("Empty objects are not allowed")

    def _or(self, rules: list[Branch], path: list[str]) -> None:
        lx = self.lx
        current = [dict(r) for r in rules]
        rules.clear()
        if lx.next() != START_ARRAY:
            raise self.barf("It must be an Array followed with $or.")
        count = 0
        while (token := lx.next()) != END_ARRAY:
            count += 1
            if token != START_OBJECT:
                raise self.barf("Only JSON object is allowed in array of $or relationship.")
            branch_rules = [dict(r) for r in current] or [{}]
            self._object(branch_rules, path, inside_or=True)
            rules.extend(branch_rules)
        if count < 2:
            raise self.barf("There must have at least 2 Objects in $or relationship.")

    def _values(self, rules: list[Branch], name: str) -> None:
        lx = self.lx
        values: list[_Matcher] = []
        while (token := lx.next()) != END_ARRAY:
            if token == START_OBJECT:
                values.append(self._expression())
            elif token == VALUE_STRING:
                text = lx.text()
                ip = _ip_range_if_possible(text)
                values.append(_IpRange(*ip) if ip else _Exact(text))
            elif token in _NUMERIC_TOKENS:
                values.append(_ExactNumber(lx.text()))
            elif token in (VALUE_TRUE, VALUE_FALSE, VALUE_NULL):
                values.append(_Literal(token))
            else:
                raise self.barf("Match value must be String, number, true, false, or null")
        if not values:
            raise self.barf("Empty arrays are not allowed")
        if not rules:
            rules.append({})
        for rule in rules:
            rule[name] = values

    # -- match expressions ({"prefix": ...}, {"numeric": [...]}, ...) -------------------------
    def _end(self, message: str = "Only one key allowed in match expression") -> None:
        if self.lx.next() != END_OBJECT:
            raise self.barf(message)

    def _string_operand(self, message: str) -> str:
        if self.lx.next() != VALUE_STRING:
            raise self.barf(message)
        return self.lx.text()

    def _expression(self) -> _Matcher:
        lx = self.lx
        if lx.next() != FIELD_NAME:
            raise self.barf("Match expression name not found")
        op = lx.name
        if op == "exactly":
            value = self._string_operand("exact match pattern must be a string")
            self._end()
            return _Exact(value)
        if op in ("prefix", "suffix"):
            token = lx.next()
            if token == START_OBJECT:
                return self._ignore_case_affix(op)
            if token != VALUE_STRING:
                raise self.barf(f"{op} match pattern must be a string")
            value = lx.text()
            self._end()
            return _Prefix(value) if op == "prefix" else _Suffix(value)
        if op == "numeric":
            if lx.next() != START_ARRAY:
                raise self.barf("Value of numeric must be an array.")
            matcher = self._numeric()
            self._end("Too many elements in numeric expression")
            return matcher
        if op == "anything-but":
            return self._anything_but()
        if op == "exists":
            token = lx.next()
            if token not in (VALUE_TRUE, VALUE_FALSE):
                raise self.barf("exists match pattern must be either true or false.")
            self._end()
            return _Exists(token == VALUE_TRUE)
        if op == "cidr":
            value = self._string_operand("prefix match pattern must be a string")
            matcher = _IpRange(*_cidr(value))
            self._end()
            return matcher
        if op == "equals-ignore-case":
            value = self._string_operand("equals-ignore-case match pattern must be a string")
            self._end()
            return _Regex(_ignore_case_regex(value))
        if op == "wildcard":
            value = self._string_operand("wildcard match pattern must be a string")
            try:
                tokens = _parse_wildcard(value)
            except _WildcardError as exc:
                raise self.barf(str(exc)) from None
            self._end()
            return _Wildcard(value, tokens)
        raise self.barf(f"Unrecognized match type {op}")

    def _ignore_case_affix(self, op: str) -> _Matcher:
        lx = self.lx
        title = op.capitalize()
        if lx.next() != FIELD_NAME:
            raise self.barf(f"{title} expression name not found")
        if lx.name != "equals-ignore-case":
            raise self.barf(f"Unsupported {op} pattern: {lx.name}")
        value = self._string_operand("equals-ignore-case match pattern must be a string")
        self._end()
        self._end()
        body = _ignore_case_regex(value)
        return _Regex(body + ".*" if op == "prefix" else ".*" + body)

    def _numeric(self) -> _Matcher:
        lx = self.lx
        if lx.next() != VALUE_STRING:
            raise self.barf(f"Invalid member in numeric match: {lx.text()}")
        operator = lx.text()
        token = lx.next()
        try:
            if operator in ("=", ">=", ">", "<=", "<"):
                if token not in _NUMERIC_TOKENS:
                    label = "equals" if operator == "=" else operator
                    raise self.barf(f"Value of {label} must be numeric")
                value = lx.text()
                token = lx.next()
                if operator in ("=", "<=", "<"):
                    if token != END_ARRAY:
                        raise self.barf("Too many elements in numeric expression")
                    number = _comparable(value)
                    if operator == "=":
                        return _NumericRange(number, False, number, False)
                    return _NumericRange(None, False, number, operator == "<")
                if token == END_ARRAY:
                    return _NumericRange(_comparable(value), operator == ">", None, False)
                return self._numeric_range(token, value, operator == ">")
            raise self.barf(f"Unrecognized numeric range operator: {operator}")
        except _IllegalArgument as exc:
            raise self.barf(str(exc)) from None

    def _numeric_range(self, token, bottom: str, open_bottom: bool) -> _Matcher:
        lx = self.lx
        if token != VALUE_STRING:
            raise self.barf(f"Bad value in numeric range: {lx.text()}")
        operator = lx.text()
        if operator not in ("<", "<="):
            raise self.barf(f"Bad numeric range operator: {operator}")
        if lx.next() not in _NUMERIC_TOKENS:
            raise self.barf(f"Value of {operator} must be numeric")
        top = lx.text()
        if lx.next() != END_ARRAY:
            raise self.barf("Too many terms in numeric range expression")
        low, high = _comparable(bottom), _comparable(top)
        if low >= high:
            raise _IllegalArgument("Bottom must be less than top")
        return _NumericRange(low, open_bottom, high, operator == "<")

    def _anything_but(self) -> _Matcher:
        lx = self.lx
        kind = None
        token = lx.next()
        if token == START_OBJECT:
            if lx.next() != FIELD_NAME:
                raise self.barf("Anything-But expression name not found")
            kind = lx.name
            if kind not in ("equals-ignore-case", "prefix", "suffix", "wildcard"):
                raise self.barf(f"Unsupported anything-but pattern: {kind}")
            token = lx.next()
        if token not in (START_ARRAY, VALUE_STRING, *_NUMERIC_TOKENS):
            raise self.barf("Value of anything-but must be an array or single string/number value.")
        if kind is None:
            inner = self._anything_but_list() if token == START_ARRAY else self._anything_but_one(token)
        elif token == START_ARRAY:
            inner = self._anything_but_set(kind)
        else:
            inner = self._anything_but_set_one(kind, token)
        self._end("Too many elements in numeric expression")
        if kind is not None:
            self._end("Too many elements in numeric expression")
        return _AnythingBut(inner)

    def _wrapped(self, message: str) -> _ParseError:
        """A barf raised inside ruler's try/catch, which re-barfs with the first message."""
        return self.barf(str(self.barf(message)))

    def _anything_but_list(self) -> list[_Matcher]:
        lx = self.lx
        inner: list[_Matcher] = []
        has_number = has_string = False
        while (token := lx.next()) != END_ARRAY:
            if token == VALUE_STRING:
                inner.append(_Exact(lx.text()))
                has_string = True
            elif token in _NUMERIC_TOKENS:
                try:
                    inner.append(_NumericRange(*(2 * (_comparable(lx.text()), False))))
                except _IllegalArgument as exc:
                    raise self.barf(str(exc)) from None
                has_number = True
            else:
                raise self._wrapped("Inside anything but list, start|null|boolean is not supported.")
        if has_number == has_string:
            raise self.barf(
                "Inside anything but list, either all values are number or string, "
                "mixed type is not supported"
            )
        return inner

    def _anything_but_one(self, token: str) -> list[_Matcher]:
        if token == VALUE_STRING:
            return [_Exact(self.lx.text())]
        number = _comparable(self.lx.text())  # an IllegalArgumentException escapes here in ruler
        return [_NumericRange(number, False, number, False)]

    def _set_value(self, kind: str, text: str, wrapped: bool) -> _Matcher:
        if kind in ("prefix", "suffix") and not text:
            message = "Null prefix/suffix not allowed"
            raise self._wrapped(message) if wrapped else self.barf(message)
        if kind == "prefix":
            return _Prefix(text)
        if kind == "suffix":
            return _Suffix(text)
        if kind == "equals-ignore-case":
            return _Regex(_ignore_case_regex(text))
        return _Wildcard(text, [])  # tokens filled in by _check_wildcards

    def _set_type_error(self, kind: str) -> str:
        if kind == "equals-ignore-case":
            return "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
        if kind == "wildcard":
            return "wildcard match pattern must be a string"
        return "prefix/suffix match pattern must be a string"

    def _check_wildcards(self, inner: list[_Matcher]) -> list[_Matcher]:
        checked: list[_Matcher] = []
        for matcher in inner:
            if isinstance(matcher, _Wildcard):
                try:
                    matcher = _Wildcard(matcher.text, _parse_wildcard(matcher.text))
                except _WildcardError as exc:
                    raise self.barf(str(exc)) from None
            checked.append(matcher)
        return checked

    def _anything_but_set(self, kind: str) -> list[_Matcher]:
        lx = self.lx
        inner: list[_Matcher] = []
        while (token := lx.next()) != END_ARRAY:
            if token != VALUE_STRING:
                raise self._wrapped(self._set_type_error(kind))
            inner.append(self._set_value(kind, lx.text(), wrapped=True))
        return self._check_wildcards(inner)

    def _anything_but_set_one(self, kind: str, token: str) -> list[_Matcher]:
        if token != VALUE_STRING:
            raise self.barf(self._set_type_error(kind))
        return self._check_wildcards([self._set_value(kind, self.lx.text(), wrapped=False)])


# --------------------------------------------------------------------------------------------
# Wildcard complexity (AWS rejects rules whose wildcards make matching too non-deterministic)
# --------------------------------------------------------------------------------------------

_MAX_COMPLEXITY = 10  # calibrated on AWS-recorded accept/reject cases, see the tests
_TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)


def _complexity(patterns: list[list[str | None]]) -> int:
    """Most wildcard-pattern NFA states a single input can keep alive at once (ruler's measure)."""
    toks = [['"', *p, '"'] for p in patterns]
    alphabet = sorted({t for p in toks for t in p if t is not None}) + ["\x00"]

    def closure(states):
        out, todo = set(states), list(states)
        while todo:
            pid, kind, i = todo.pop()
            tk = toks[pid]
            nxt = None
            if kind == "s" or (i < len(tk) and tk[i] is None):
                nxt = (pid, "p", i + 1)
            if nxt and nxt not in out:
                out.add(nxt)
                todo.append(nxt)
        return out

    def step(states, ch):
        out = set()
        for pid, kind, i in states:
            tk = toks[pid]
            if kind == "s":
                out.add((pid, "s", i))
            elif i < len(tk):
                if tk[i] is None:
                    out.add((pid, "s", i))
                elif tk[i] == ch:
                    out.add((pid, "p", i + 1))
        return frozenset(out)

    def size(states):
        extra = sum(
            1
            for pid, kind, i in states
            if kind == "p" and i < len(toks[pid]) and toks[pid][i] is None and (pid, "s", i) not in states
        )
        return len(states) + extra

    start = frozenset((pid, "p", 0) for pid in range(len(toks)))
    seen, queue, best = {start}, [start], 0
    while queue and len(seen) < 20_000:
        current = closure(queue.pop())
        for ch in alphabet:
            nxt = step(current, ch)
            if not nxt or nxt in seen:
                continue
            best = max(best, size(nxt))
            if best > _MAX_COMPLEXITY:
                return best
            seen.add(nxt)
            queue.append(nxt)
    return best


def _check_complexity(branches: list[Branch]) -> None:
    by_path: dict[str, dict[str, list[str | None]]] = {}
    for branch in branches:
        for path, matchers in branch.items():
            for m in matchers:
                if type(m) is _Wildcard and None in m.tokens:
                    by_path.setdefault(path, {})[m.text] = m.tokens
    for patterns in by_path.values():
        if _complexity(list(patterns.values())) > _MAX_COMPLEXITY:
            raise _IllegalArgument(_TOO_COMPLEX)
