"""Message table (MESSAGE_TABLE): id; GSI ConversationMessagesIndex (conversationId, createdAt)."""

from __future__ import annotations

from typing import Any

from handlers.common.repositories.base import Repository


class MessageRepository(Repository):
    env_var = "MESSAGE_TABLE"
    key = "id"

    def by_conversation(self, conversation_id: str, since: str | None = None) -> list[dict[str, Any]]:
        return self.query("ConversationMessagesIndex", "conversationId", conversation_id,
                          range_name="createdAt", range_from=since)
