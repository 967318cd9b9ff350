"""NotificationPreference table (NOTIFICATION_PREFERENCE_TABLE): userId."""

from __future__ import annotations

from handlers.common.repositories.base import Repository


class NotificationPreferenceRepository(Repository):
    env_var = "NOTIFICATION_PREFERENCE_TABLE"
    key = "userId"
