"""Service table (SERVICE_TABLE): id; GSI ProviderServicesIndex (providerId)."""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class ServiceRepository(Repository):
    env_var = "SERVICE_TABLE"
    key = "id"

    def by_provider(self, provider_id: str) -> list[dict[str, Any]]:
        return self.query("ProviderServicesIndex", "providerId", provider_id)
