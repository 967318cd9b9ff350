"""Conversation table (CONVERSATION_TABLE): id."""

from __future__ import annotations

from handlers.common.repositories.base import Repository


class ConversationRepository(Repository):
    env_var = "CONVERSATION_TABLE"
    key = "id"
