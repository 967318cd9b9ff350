"""Notification table (NOTIFICATION_TABLE): id; GSI UserNotificationsIndex (userId, createdAt)."""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class NotificationRepository(Repository):
    env_var = "NOTIFICATION_TABLE"
    key = "id"

    def by_user(self, user_id: str, since: str | None = None, newest_first: bool = True) -> list[dict[str, Any]]:
        return self.query("UserNotificationsIndex", "userId", user_id, range_name="createdAt",
                          range_from=since, forward=not newest_first)
