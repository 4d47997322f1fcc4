"""Telling a witness about an event, on time: one task per witness entitled to hear it, with a
deadline in working days, done only when a contact attempt succeeds; every attempt is kept."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, bindparam, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from witness.auth.models import User
from witness.cases.models import Case
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.db import Base, enum_column, intpk
from witness.outcomes.models import OutcomeEvent
from witness.people.models import Witness


class TaskStatus(enum.Enum):
    open = "open"
    done = "done"  #: a contact attempt succeeded
    #: no longer needed: the witness opted out, the event was corrected, the case closed
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return {
            "open": gettext("Open"),
            "done": gettext("Done"),
            "cancelled": gettext("Cancelled"),
        }[self.value]


class NotificationTask(Base):
    """Tell one witness about one event (or remind them of one): due by ``due_dt``."""

    __tablename__ = "notification_tasks"
    __table_args__ = (
        #: one task per event, witness and reminder: recording or sweeping twice adds nothing
        UniqueConstraint("event_id", "witness_id", "reminder"),
        #: the due list and the breach sweep: open tasks by deadline
        Index(
            "ix_notification_tasks_open_due",
            "due_dt",
            "witness_id",  # covering: the due list checks need to know without the task's row
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_notification_tasks_witness", "witness_id", "status"),
    )

    id: Mapped[intpk]
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("outcome_events.id"))
    #: "" for the event itself; "release-30" etc. for a reminder before a date
    reminder: Mapped[str] = mapped_column(String(40), default="")
    #: the witness has enhanced rights (child, vulnerable or intimidated, trafficking, ...)
    enhanced: Mapped[bool] = mapped_column(default=False)
    #: when Witness learned of it: the deadline clock starts here
    learned_dt: Mapped[datetime] = mapped_column(default=now_utc)
    due_dt: Mapped[datetime]
    status: Mapped[TaskStatus] = enum_column(TaskStatus, default=TaskStatus.open)
    #: the channel being tried now: an index into the witness's preferred channels
    channel_index: Mapped[int] = mapped_column(default=0)
    done_dt: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_reason: Mapped[str] = mapped_column(Text, default="")
    #: set once the officer and supervisor were alerted that the deadline passed
    breach_alerted_dt: Mapped[datetime | None]
    #: set once failed calls were escalated to the supervisor and the NGO worker
    escalated_dt: Mapped[datetime | None]
    #: why the witness is to be told by phone with an interpreter instead (no reviewed
    #: translation of the letter or e-mail in their language); "" when not
    interpreter_call: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=now_utc)

    witness: Mapped[Witness] = relationship()
    case: Mapped[Case] = relationship()
    event: Mapped[OutcomeEvent] = relationship()
    done_by: Mapped[User | None] = relationship()
    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="task", order_by="ContactAttempt.id"
    )


class AttemptOutcome(enum.Enum):
    # successes: the task is done
    sent = "sent"  #: an e-mail handed to the mail server
    posted = "posted"  #: a letter posted
    spoke_to_witness = "spoke_to_witness"
    told_in_person = "told_in_person"
    told_via_ngo = "told_via_ngo"
    # not yet
    no_answer = "no_answer"
    message_left = "message_left"
    someone_else_answered = "someone_else_answered"  #: nothing was disclosed
    returned = "returned"  #: a letter came back
    withheld = "withheld"  #: consent or preferences forbid it now
    failed = "failed"

    @property
    def succeeded(self) -> bool:
        return self in _SUCCESSES

    @property
    def label(self) -> str:
        return {
            "sent": gettext("Sent"),
            "posted": gettext("Posted"),
            "spoke_to_witness": gettext("Spoke to the witness"),
            "told_in_person": gettext("Told in person"),
            "told_via_ngo": gettext("Told through their NGO worker"),
            "no_answer": gettext("No answer"),
            "message_left": gettext("Message left"),
            "someone_else_answered": gettext("Someone else answered (nothing disclosed)"),
            "returned": gettext("Returned"),
            "withheld": gettext("Withheld"),
            "failed": gettext("Failed"),
        }[self.value]


_SUCCESSES = frozenset(
    {
        AttemptOutcome.sent,
        AttemptOutcome.posted,
        AttemptOutcome.spoke_to_witness,
        AttemptOutcome.told_in_person,
        AttemptOutcome.told_via_ngo,
    }
)


def open_tasks():
    """``status = 'open'`` with the value written into the SQL: only then does SQLite know
    that a row of the partial index of open tasks is open. With a bound value it reads every
    task's row to check its status again (the supervisor's due list: 5 ms, then 1)."""
    value = bindparam(None, TaskStatus.open, type_=NotificationTask.status.type,
                      literal_execute=True)  # fmt: skip
    return NotificationTask.status == value


class ContactAttempt(Base):
    """One try at telling a witness, by one channel, and how it went: on the witness's
    timeline and in the task's history; append-only."""

    __tablename__ = "contact_attempts"
    __table_args__ = (Index("ix_contact_attempts_witness", "witness_id", "attempted_dt"),)

    id: Mapped[intpk]
    task_id: Mapped[int] = mapped_column(ForeignKey("notification_tasks.id"), index=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    #: a ``people.Channel`` value
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[AttemptOutcome] = enum_column(AttemptOutcome)
    attempted_dt: Mapped[datetime] = mapped_column(default=now_utc)
    #: None when the system made it (an e-mail sent by the sweep)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: what carried it, when something did
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_emails.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))

    task: Mapped[NotificationTask] = relationship(back_populates="attempts")
    by: Mapped[User | None] = relationship()
