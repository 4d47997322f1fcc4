"""The notify feature's models: the e-mail outbox, news, contact preferences, notification
tasks with their contact attempts, and alerts to staff."""

from witness.notify.models.alerts import StaffAlert
from witness.notify.models.news import News, NewsKind
from witness.notify.models.outbox import MailStatus, OutboundEmail, WithheldReason
from witness.notify.models.preferences import (
    ContactPreference,
    EmailDetail,
    NewsWanted,
    preferred_address,
    wants_news,
)
from witness.notify.models.tasks import (
    AttemptOutcome,
    ContactAttempt,
    NotificationTask,
    TaskStatus,
    open_tasks,
)

__all__ = [
    "AttemptOutcome",
    "ContactAttempt",
    "ContactPreference",
    "EmailDetail",
    "MailStatus",
    "News",
    "NewsKind",
    "NewsWanted",
    "NotificationTask",
    "OutboundEmail",
    "StaffAlert",
    "TaskStatus",
    "WithheldReason",
    "open_tasks",
    "preferred_address",
    "wants_news",
]
