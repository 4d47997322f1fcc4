"""The demo after trial: a verdict and sentence last week in a London trial, a release in 20
days in the sentenced case, contact preferences for their victims (post in Thai, phone in
Khmer, e-mail in English), letters waiting to be printed, a call to make, and one task past its
deadline. The Thai translations are marked reviewed by a clearly labelled demo reviewer; Khmer
is left unreviewed, so its news goes by phone with an interpreter and the task says why."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.cases.models import Case, CaseStatus
from witness.core.access import current_preference
from witness.demo.base import DemoState
from witness.letters import translations
from witness.letters.layout import can_write
from witness.letters.services import letter_for_task
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.preferences import record_preferences
from witness.notify.reminders import send_reminders
from witness.notify.task_queries import channel_now
from witness.outcomes.models import EventKind, EventResult, EventSource, OrderKind, SentenceKind
from witness.outcomes.services import record_event
from witness.people.models import Channel, Participation, ParticipationRole, Witness

#: what the demo's reviews say: no native speaker checked anything for the demo
DEMO_REVIEW_NOTE = "DEMO DATA: not a real review. A native speaker must review before use."
#: how each victim of the demo's outcome cases wants to hear, in turn
PREFERENCES = (
    {
        "channels": ["post", "phone"],
        "postal_address": "c/o Safe Harbour, PO Box 118, Leeds LS1 4AP",
        "language": "th",
    },
    {
        "channels": ["phone", "post"],
        "safe_times": "18:00-20:00",
        "may_leave_message": False,
        "postal_address": "PO Box 4410, Manchester M1 2WD",
        "language": "km",
    },
    {"channels": ["email", "phone"], "email": "a.safe.mailbox@example.org"},
)


class OutcomeSteps(DemoState):
    def add_outcomes(self, cases: list) -> None:
        """A verdict and sentence last week, a release date in 20 days, preferences, letters,
        calls, reminders and one overdue task."""
        trial = _first(cases, "london", CaseStatus.trial)
        sentenced = _first(cases, "london", CaseStatus.sentenced)
        if trial is None or sentenced is None:
            return
        for case in (trial, sentenced):
            self._preferences(case)
        officer = self.users["liaison"]
        defendant = trial.defendants[0]
        verdict_day = self.today - timedelta(days=7)
        record_event(
            self.session,
            officer,
            case=trial,
            defendant=defendant,
            kind=EventKind.verdict,
            effective_date=verdict_day,
            source=EventSource.court,
            charge="Arranging travel with a view to exploitation",
            result=EventResult.guilty,
        )
        record_event(
            self.session,
            officer,
            case=trial,
            defendant=defendant,
            kind=EventKind.sentence,
            effective_date=verdict_day,
            source=EventSource.court,
            sentence_kind=SentenceKind.custody,
            sentence_months=54,
            orders=[
                {
                    "kind": OrderKind.no_contact.value,
                    "detail": "No contact with the victims, directly or through anyone else",
                    "until": (self.today + timedelta(days=3650)).isoformat(),
                }
            ],
            release_date=self.today + timedelta(days=3 * 365),
        )
        record_event(
            self.session,
            officer,
            case=sentenced,
            defendant=sentenced.defendants[0],
            kind=EventKind.release_date_set,
            effective_date=self.today - timedelta(days=2),
            source=EventSource.prison,
            release_date=self.today + timedelta(days=20),
        )
        self._overdue_one(trial)
        send_reminders(self.session)
        self._letters()

    def _preferences(self, case: Case) -> None:
        victims = self.session.scalars(
            select(Witness)
            .join(Participation, Participation.witness_id == Witness.id)
            .where(
                Participation.case_id == case.id,
                Participation.role == ParticipationRole.victim_witness,
            )
            .order_by(Witness.id)
        ).all()
        self._demo_reviews()
        for witness, preference in zip(victims, PREFERENCES, strict=False):
            fields = dict(preference)
            if not can_write(fields.get("language", "en")):
                fields["language"] = "en"  # until this install ships the script's font
            if "phone" in fields["channels"]:
                fields["phone"] = witness.phone or "+44 7700 900461"
            if witness.is_child_on(self.today):
                fields.update(contact_person="Her foster carer", contact_person_relation="Carer")
            record_preferences(self.session, self.users["liaison"], witness, **fields)

    def _demo_reviews(self) -> None:
        """Thai marked reviewed, kind by kind, by the demo's supervisor, labelled as demo data."""
        if "th" not in translations.languages():
            return
        for kind in translations.kinds():
            if translations.current_review(self.session, kind, "th") is None:
                translations.review_translation(
                    self.session, self.users["supervisor"], kind, "th", DEMO_REVIEW_NOTE
                )

    def _overdue_one(self, case: Case) -> None:
        """Witness learned of the verdict last week and nobody has told one victim yet."""
        task = self.session.scalars(
            select(NotificationTask)
            .where(NotificationTask.case_id == case.id, NotificationTask.status == TaskStatus.open)
            .order_by(NotificationTask.id)
        ).first()
        if task is not None:
            task.learned_dt = self.now - timedelta(days=7)
            task.due_dt = self.now - timedelta(days=6)

    def _letters(self) -> None:
        """The letters of tasks whose first channel is post, waiting for the print run."""
        tasks = self.session.scalars(
            select(NotificationTask).where(NotificationTask.status == TaskStatus.open)
        ).all()
        for task in tasks:
            preference = current_preference(self.session, task.witness_id)
            if channel_now(preference, task) is Channel.post:
                letter_for_task(self.session, None, task)
        self.session.flush()


def _first(cases: list, court: str, status: CaseStatus) -> Case | None:
    return next(
        (case for spec, case in cases if spec.court == court and case.status is status), None
    )
