"""One repository per table (class per module); table names come from the *_TABLE variables.

    from handlers.common.repositories import BookingRepository
    BookingRepository().get("b1")          # consistent read → dict | None
"""

from handlers.common.repositories.base import ConditionFailed, Repository
from handlers.common.repositories.bookings import BookingRepository
from handlers.common.repositories.conversations import ConversationRepository
from handlers.common.repositories.disputes import DisputeRepository
from handlers.common.repositories.messages import MessageRepository
from handlers.common.repositories.notification_preferences import NotificationPreferenceRepository
from handlers.common.repositories.notifications import NotificationRepository
from handlers.common.repositories.payouts import PayoutRepository
from handlers.common.repositories.processed_webhooks import ProcessedWebhooksRepository
from handlers.common.repositories.refunds import RefundRepository
from handlers.common.repositories.services import ServiceRepository
from handlers.common.repositories.user_profiles import UserProfileRepository

__all__ = [
    "BookingRepository", "ConditionFailed", "ConversationRepository", "DisputeRepository", "MessageRepository",
    "NotificationPreferenceRepository", "NotificationRepository", "PayoutRepository",
    "ProcessedWebhooksRepository", "RefundRepository", "Repository", "ServiceRepository",
    "UserProfileRepository",
]
