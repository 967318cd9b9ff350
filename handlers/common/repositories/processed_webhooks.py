"""ProcessedWebhooks table (PROCESSED_WEBHOOKS_TABLE): eventId; GSI StatusIndex (status, processedAt N); TTL ttl.

The record's fields and their meaning are WebhookDeduplicationService's (handlers/common/dedup.py).
"""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class ProcessedWebhooksRepository(Repository):
    env_var = "PROCESSED_WEBHOOKS_TABLE"
    key = "eventId"

    def by_status(self, status: str, since_ms: int | None = None, until_ms: int | None = None) -> list[dict[str, Any]]:
        return self.query("StatusIndex", "status", status, range_name="processedAt", range_from=since_ms,
                          range_to=until_ms)
