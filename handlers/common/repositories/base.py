"""The repository base: one table, its key, its indexes, through the low-level DynamoDB client.

get / must_get (a caller-named item: ValidationError / NotFoundError) / put / create / update /
update_expression (a raw UpdateExpression) / delete / query (an index, paginated) / scan, and the
compare-and-set write every state-machine field goes through: `cas_update(key, old, changes,
watch)` writes `changes` only if every `watch` attribute still has its value in `old` (absent
attributes must still be absent) and the item's existence is unchanged. `cas_request` gives the
same write as a TransactWriteItems "Update" element. ConditionFailed signals a lost race.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from handlers.common.appsync import NotFoundError, ValidationError
from handlers.common.clients import client
from handlers.common.config import table_name
from handlers.common.ddb import Expr, from_item, is_condition_failure, serialize_value, to_item


class ConditionFailed(Exception):
    """A ConditionExpression did not hold (another writer won, or the item is not as expected)."""


class Repository:
    env_var: ClassVar[str] = ""
    key: ClassVar[str] = "id"

    @property
    def table(self) -> str:
        return table_name(self.env_var)

    def _key(self, key_value: str) -> dict[str, Any]:
        return {self.key: serialize_value(key_value)}

    # -- reads -----------------------------------------------------------------------------------
    def get(self, key_value: str, *, consistent: bool = True) -> dict[str, Any] | None:
        response = client("dynamodb").get_item(TableName=self.table, Key=self._key(key_value),
                                               ConsistentRead=consistent)
        return from_item(response.get("Item"))

    def must_get(self, key_value: Any, *, field: str, what: str) -> dict[str, Any]:
        """The item a caller names by id (`field` of a request): ValidationError when the id is not a
        non-empty string, NotFoundError ("<what> <id> not found") when there is no such item."""
        if not isinstance(key_value, str) or not key_value:
            raise ValidationError(f"{field} is required")
        item = self.get(key_value)
        if item is None:
            raise NotFoundError(f"{what} {key_value} not found")
        return item

    def query(self, index: str | None, key_name: str, key_value: Any, *, range_name: str | None = None,
              range_from: Any = None, range_to: Any = None, forward: bool = True,
              limit: int | None = None) -> list[dict[str, Any]]:
        """Items whose `key_name` = key_value (optionally range_from ≤ range ≤ range_to), all pages."""
        e = Expr()
        cond = f"{e.name(key_name)} = {e.value(key_value)}"
        if range_name and range_from is not None and range_to is not None:
            cond += f" AND {e.name(range_name)} BETWEEN {e.value(range_from)} AND {e.value(range_to)}"
        elif range_name and range_from is not None:
            cond += f" AND {e.name(range_name)} >= {e.value(range_from)}"
        elif range_name and range_to is not None:
            cond += f" AND {e.name(range_name)} <= {e.value(range_to)}"
        kwargs: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": cond,
                                  "ScanIndexForward": forward, **e.kwargs()}
        if index:
            kwargs["IndexName"] = index
        out: list[dict[str, Any]] = []
        while True:
            if limit is not None:
                kwargs["Limit"] = max(1, limit - len(out))
            response = client("dynamodb").query(**kwargs)
            out += [from_item(i) for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last or (limit is not None and len(out) >= limit):
                return out
            kwargs["ExclusiveStartKey"] = last

    def scan(self, *, has_attribute: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item (optionally only those with `has_attribute`), all pages."""
        kwargs: dict[str, Any] = {"TableName": self.table}
        if has_attribute:
            e = Expr()
            kwargs.update(FilterExpression=f"attribute_exists({e.name(has_attribute)})", **e.kwargs())
        while True:
            response = client("dynamodb").scan(**kwargs)
            for item in response.get("Items", []):
                yield from_item(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    # -- writes ----------------------------------------------------------------------------------
    def put(self, item: dict[str, Any], *, condition: str | None = None, expr: Expr | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": to_item(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
            kwargs.update((expr or Expr()).kwargs())
        try:
            client("dynamodb").put_item(**kwargs)
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConditionFailed(str(exc)) from exc
            raise

    def create(self, item: dict[str, Any]) -> bool:
        """Put only if no item has this key; False when one exists."""
        e = Expr()
        try:
            self.put(item, condition=f"attribute_not_exists({e.name(self.key)})", expr=e)
        except ConditionFailed:
            return False
        return True

    def update(self, key_value: str, fields: dict[str, Any], *, remove: Iterable[str] = (),
               condition: str | None = None, expr: Expr | None = None,
               return_values: str = "ALL_NEW") -> dict[str, Any] | None:
        """SET `fields` (None values are REMOVEd), REMOVE `remove`; ConditionFailed on a failed condition."""
        kwargs = self._update_kwargs(key_value, fields, remove, condition, expr)
        kwargs["ReturnValues"] = return_values
        return self._send_update(kwargs)

    def update_expression(self, key_value: str, update_expression: str, *, condition: str | None = None,
                          expr: Expr | None = None, return_values: str = "ALL_NEW") -> dict[str, Any] | None:
        """A raw UpdateExpression (e.g. on a nested map attribute) built with `expr`'s placeholders;
        ConditionFailed on a failed condition."""
        kwargs: dict[str, Any] = {"TableName": self.table, "Key": self._key(key_value),
                                  "UpdateExpression": update_expression, "ReturnValues": return_values}
        if condition:
            kwargs["ConditionExpression"] = condition
        kwargs.update((expr or Expr()).kwargs())
        return self._send_update(kwargs)

    @staticmethod
    def _send_update(kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """UpdateItem; a failed condition becomes ConditionFailed; the returned attributes, plain."""
        try:
            response = client("dynamodb").update_item(**kwargs)
        except Exception as exc:
            if is_condition_failure(exc):
                raise ConditionFailed(str(exc)) from exc
            raise
        return from_item(response.get("Attributes"))

    def _update_kwargs(self, key_value: str, fields: dict[str, Any], remove: Iterable[str],
                       condition: str | None, expr: Expr | None) -> dict[str, Any]:
        e = expr or Expr()
        sets = [f"{e.name(k)} = {e.value(v)}" for k, v in fields.items() if v is not None and k != self.key]
        removes = [e.name(k) for k in list(remove) + [k for k, v in fields.items() if v is None]]
        parts = []
        if sets:
            parts.append("SET " + ", ".join(sets))
        if removes:
            parts.append("REMOVE " + ", ".join(removes))
        if not parts:
            raise ValueError("an update needs at least one field")
        kwargs: dict[str, Any] = {"TableName": self.table, "Key": self._key(key_value),
                                  "UpdateExpression": " ".join(parts)}
        if condition:
            kwargs["ConditionExpression"] = condition
        kwargs.update(e.kwargs())
        return kwargs

    def delete(self, key_value: str) -> None:
        client("dynamodb").delete_item(TableName=self.table, Key=self._key(key_value))

    # -- compare-and-set -------------------------------------------------------------------------
    def _cas_condition(self, old: dict[str, Any] | None, watch: Iterable[str], e: Expr) -> str:
        if old is None:
            return f"attribute_not_exists({e.name(self.key)})"
        parts = [f"attribute_exists({e.name(self.key)})"]
        for attr in sorted(set(watch)):
            if attr in old and old[attr] is not None:
                parts.append(f"{e.name(attr)} = {e.value(old[attr])}")
            else:
                parts.append(f"attribute_not_exists({e.name(attr)})")
        return " AND ".join(parts)

    def cas_request(self, key_value: str, old: dict[str, Any] | None, changes: dict[str, Any],
                    watch: Iterable[str]) -> dict[str, Any]:
        """The TransactWriteItems element for cas_update."""
        e = Expr()
        condition = self._cas_condition(old, watch, e)
        kwargs = self._update_kwargs(key_value, changes, (), condition, e)
        return {"Update": kwargs}

    def cas_update(self, key_value: str, old: dict[str, Any] | None, changes: dict[str, Any],
                   watch: Iterable[str]) -> dict[str, Any] | None:
        """Write `changes` if the item is still `old` on every `watch` attribute; ConditionFailed if not."""
        e = Expr()
        condition = self._cas_condition(old, watch, e)
        return self.update(key_value, changes, condition=condition, expr=e)
