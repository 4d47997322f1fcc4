"""Generated outcomes and the notification tasks they made (issue 13): the due list ("To tell")
at national scale.

Every sentenced, appealed or closed case had a verdict, and a guilty one a sentence some weeks
later; a case at trial has its verdict one time in five. Each event made one task per witness of
the case, as ``notify.tasks.create_tasks_for_event`` would: due one working day after the office
learned of it for a witness with enhanced rights (a victim of trafficking, a child), five for a
bystander witness (weekends skipped, holidays not). A task not yet due is open seven times in
ten; one overdue by less than ten days is still open one time in ten, an older one one time in
a hundred (the breaches a supervisor sees); the others were done by the witness's officer,
within the deadline nineteen times in twenty.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from witness.cases.models import CaseStatus
from witness.notify.models import NotificationTask, TaskStatus
from witness.outcomes.models import (
    EventKind,
    EventResult,
    EventSource,
    OutcomeEvent,
    SentenceKind,
)

if TYPE_CHECKING:
    from witness.bench.generate import _Generator

#: cases with a verdict, by status (the share of the status that has one)
VERDICT_SHARE = {
    CaseStatus.trial: 0.2,
    CaseStatus.sentenced: 1.0,
    CaseStatus.appeal: 1.0,
    CaseStatus.closed: 1.0,
}
#: tasks whose deadline passed in the last this many days are still open one time in ten
RECENT_DAYS = 10
SLIPPING = 0.1
#: older overdue tasks still open (never told)
NEVER_TOLD = 0.01
LATE_SHARE = 0.05

EVENT_KEYS = (
    "id", "case_id", "defendant_id", "kind", "effective_date", "source", "recorded_by_id",
    "recorded_dt", "charge", "result", "sentence_kind", "sentence_months", "orders",
)  # fmt: skip
TASK_KEYS = (
    "id", "witness_id", "case_id", "event_id", "reminder", "enhanced", "learned_dt", "due_dt",
    "status", "channel_index", "done_dt", "done_by_id", "cancelled_reason", "created_dt",
)  # fmt: skip


def working_days_after(start: datetime, days: int) -> datetime:
    """``days`` working days (Monday to Friday) after ``start``, at the end of that day."""
    day = start.date()
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, time(23, 59), UTC)


class OutcomeGenerator:
    """Adds verdicts, sentences and their tasks to a ``_Generator``'s plan, case by case."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.events: list[tuple] = []
        self.tasks: list[tuple] = []
        self.convert_event = gen.writer.converter(OutcomeEvent, EVENT_KEYS)
        self.convert_task = gen.writer.converter(NotificationTask, TASK_KEYS)

    def add_outcomes(self) -> None:
        gen = self.gen
        for c in range(gen.scale.cases):
            status = gen.statuses[gen.case_status[c]]
            if self.rng.random() < VERDICT_SHARE.get(status, 0.0):
                self.plan_case(c, status)
                if len(self.tasks) >= 4 * gen.scale.chunk:
                    self.flush()
        self.flush()

    def flush(self) -> None:
        gen = self.gen
        gen.writer.write_converted(OutcomeEvent, EVENT_KEYS, self.events)
        gen.writer.write_converted(NotificationTask, TASK_KEYS, self.tasks)
        gen.writer.commit()
        gen.progress(len(self.tasks))
        self.events, self.tasks = [], []

    def plan_case(self, c: int, status: CaseStatus) -> None:
        """The verdict (and a sentence after a guilty one) of case ``c``, with their tasks."""
        gen, rng = self.gen, self.rng
        age = gen.case_age[c]
        # The verdict came late in the case's life; a case at trial had it in the last weeks.
        ago = rng.randint(0, 30) if status is CaseStatus.trial else rng.randint(0, max(age // 3, 1))
        verdict_day = gen.today - timedelta(days=ago)
        guilty = rng.random() < 0.8
        officer = gen.officers[gen.case_office(c)][0]
        self.event(
            c,
            EventKind.verdict,
            verdict_day,
            officer,
            result=EventResult.guilty if guilty else EventResult.not_guilty,
        )
        if guilty and ago > 20:
            sentence_day = verdict_day + timedelta(days=rng.randint(14, 28))
            months = rng.randint(12, 120)
            if sentence_day <= gen.today:  # recorded once passed: none dated after today
                self.event(
                    c,
                    EventKind.sentence,
                    sentence_day,
                    officer,
                    sentence_kind=SentenceKind.custody,
                    sentence_months=months,
                )

    def event(self, c: int, kind: EventKind, day, officer: int, **facts) -> None:
        gen, rng = self.gen, self.rng
        event_id = gen.new_id(OutcomeEvent)
        learned = datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), UTC)
        learned = min(learned, gen.now)  # today's news, learned by now (the hour is a guess)
        row = dict.fromkeys(EVENT_KEYS)
        row.update(
            id=event_id, case_id=gen.case_ids[c], defendant_id=gen.case_defendant[c], kind=kind,
            effective_date=day, source=EventSource.court, recorded_by_id=officer,
            recorded_dt=learned, charge="Trafficking for labour exploitation", orders=[], **facts,
        )  # fmt: skip
        self.events.append(self.convert_event(row))
        for p in gen.case_participations(c):
            i, witness_id, witness_officer = p[0], p[1], p[2]
            enhanced = chr(gen.w_kind[i]) != "w"  # a victim of trafficking or a child
            self.task(event_id, gen.case_ids[c], witness_id, witness_officer, learned, enhanced)

    def task(self, event_id, case_id, witness_id, officer, learned, enhanced) -> None:
        gen, rng = self.gen, self.rng
        due = working_days_after(learned, 1 if enhanced else 5)
        status, done, done_by = TaskStatus.open, None, None
        if due > gen.now:
            told = rng.random() < 0.3  # some are told the same day
        else:
            recent = gen.now - due < timedelta(days=RECENT_DAYS)
            told = rng.random() >= (SLIPPING if recent else NEVER_TOLD)
        if told:
            status, done_by = TaskStatus.done, officer
            late = due < gen.now and rng.random() < LATE_SHARE
            done = due + timedelta(days=rng.randint(1, 6)) if late else gen.between(learned, due)
            done = min(done, gen.now)
        self.tasks.append(
            self.convert_task(
                dict(
                    id=gen.new_id(NotificationTask),
                    witness_id=witness_id,
                    case_id=case_id,
                    event_id=event_id,
                    reminder="",
                    enhanced=enhanced,
                    learned_dt=learned,
                    due_dt=due,
                    status=status,
                    channel_index=0,
                    done_dt=done,
                    done_by_id=done_by,
                    cancelled_reason="",
                    created_dt=learned,
                )
            )
        )
