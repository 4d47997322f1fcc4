"""Generated risk histories (issue 15): every witness's completed assessments, the reviews they
scheduled, and a few incidents; the overdue list at national scale.

Each witness has one to four completed assessments by the current instrument, as the services
store them: an answer and a note for every factor, the level by ``instrument.level_for`` (one
time in thirty raised by the officer, with a reason), the last one current, each started from
the one before. Answers are drawn per factor, more often present for children and victims of
trafficking than for a bystander witness, and change a little from one assessment to the next.
An assessment was completed when the one before it fell due (a few days either side); the
review it scheduled (``services.REVIEW_DAYS`` by level) was done by the next. The last one's
review is open: overdue for about one witness in sixteen, due this week for one in eight. One
witness in twenty has a trigger's review open as well (a hearing soon, a phase change, an
outcome), and one in two hundred an incident since their last assessment, its review due the
day it was recorded. Times are in the courts' timezone, by day; no audit events are written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from witness.bench.vocabulary import COURT_TIMEZONE
from witness.risk.instrument import CURRENT, RiskLevel, factors_of, level_for
from witness.risk.models import (
    AssessmentStatus,
    IncidentKind,
    ReviewSource,
    RiskAssessment,
    RiskIncident,
    RiskReview,
)
from witness.risk.services import REVIEW_DAYS

if TYPE_CHECKING:
    from witness.bench.generate import _Generator

#: how often each factor is present, for a victim of trafficking (a, l, x), a child (c, p) and
#: a bystander witness (w); a factor not present is unknown one time in twelve, else absent
PRESENT: dict[str, tuple[float, float, float]] = {
    "threats": (0.08, 0.08, 0.03),
    "location_known": (0.06, 0.06, 0.03),
    "family_at_risk": (0.12, 0.10, 0.01),
    "debts": (0.15, 0.10, 0.01),
    "organised_crime": (0.20, 0.20, 0.05),
    "accused_at_large": (0.25, 0.25, 0.25),
    "prior_violence": (0.07, 0.07, 0.03),
    "child": (0.0, 1.0, 0.0),
    "immigration": (0.30, 0.30, 0.02),
    "health": (0.25, 0.30, 0.08),
    "re_trafficking": (0.04, 0.08, 0.0),
    "return_risk": (0.10, 0.08, 0.0),
    "media": (0.02, 0.02, 0.02),
}
UNKNOWN = 1 / 12
#: from one assessment to the next, a factor's answer is drawn again this often
CHANGE = 0.12
NOTES = {
    "threats": "Messages from the accused's associates; screenshots kept by the officer",
    "location_known": "A relative of the accused lives two streets from the shelter",
    "family_at_risk": "Mother contacted by the recruiter in the home village",
    "debts": "Told she still owes for the journey and the room",
    "organised_crime": "Part of a network the police are investigating",
    "accused_at_large": "On bail, conditions not to contact witnesses",
    "prior_violence": "Was hit by the accused when she refused to work",
    "child": "Age assessed as 16",
    "immigration": "Asylum claim pending",
    "health": "Counselling weekly; sleeps badly before hearings",
    "re_trafficking": "Approached outside the hostel by a stranger offering work",
    "return_risk": "The recruiter is from the same town",
    "media": "Local paper named the case",
}
OWN_VIEWS = (
    "I feel safe where I live now.",
    "I am scared before the hearing.",
    "I do not go out alone.",
    "I worry about my family at home more than about me.",
    "I think they know where I am.",
    "",
)
OVERRIDE_REASON = "Officer's judgement: the witness's account at interview adds to the answers"
#: the last assessment's review: overdue, due this week, later (shares of witnesses)
OVERDUE, THIS_WEEK = 1 / 16, 1 / 8
TRIGGER_SHARE, INCIDENT_SHARE = 1 / 20, 1 / 200
TRIGGERS = (
    (ReviewSource.hearing_soon, "Hearing in 14 days"),
    (ReviewSource.phase_change, "Phase changed to Trial preparation"),
    (ReviewSource.outcome, "Outcome recorded in the case"),
)
INCIDENTS = (
    (IncidentKind.threat, "A message threatening her family if she gives evidence."),
    (IncidentKind.contact_attempt, "A friend of the accused asked the hostel for her."),
    (IncidentKind.sighting, "Saw the accused's car near her college."),
    (IncidentKind.order_breach, "The accused telephoned her despite the order."),
)

ASSESSMENT_KEYS = (
    "id", "witness_id", "instrument", "status", "answers", "own_view", "rule_level",
    "rule_reason", "level", "override_reason", "is_current", "previous_id", "created_by_id",
    "created_dt", "completed_by_id", "completed_dt",
)  # fmt: skip
REVIEW_KEYS = (
    "id", "witness_id", "source", "key", "due_date", "reason", "created_dt", "created_by_id",
    "done_dt", "done_assessment_id",
)  # fmt: skip
INCIDENT_KEYS = (
    "id", "witness_id", "kind", "reported_by", "occurred_dt", "description", "police_told",
    "police_reference", "recorded_by_id", "recorded_dt",
)  # fmt: skip
_COLUMN = {"a": 0, "l": 0, "x": 0, "c": 1, "p": 1, "w": 2}
LEVELS = list(RiskLevel)


class RiskGenerator:
    """Adds every witness's risk history to a ``_Generator``'s data, in chunks."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.zone = ZoneInfo(COURT_TIMEZONE)
        self.today = gen.now.astimezone(self.zone).date()
        self.factors = [f.key for f in factors_of(CURRENT)]
        self.assessments: list[tuple] = []
        self.reviews: list[tuple] = []
        self.incidents: list[tuple] = []
        writer = gen.writer
        self.convert_assessment = writer.converter(RiskAssessment, ASSESSMENT_KEYS)
        self.convert_review = writer.converter(RiskReview, REVIEW_KEYS)
        self.convert_incident = writer.converter(RiskIncident, INCIDENT_KEYS)

    def add_risk(self) -> None:
        gen = self.gen
        for i in range(gen.scale.witnesses):
            self.plan_witness(i)
            if len(self.assessments) >= 2 * gen.scale.chunk:
                self.flush()
        self.flush()

    def flush(self) -> None:
        writer = self.gen.writer
        writer.write_converted(RiskAssessment, ASSESSMENT_KEYS, self.assessments)
        writer.write_converted(RiskReview, REVIEW_KEYS, self.reviews)
        writer.write_converted(RiskIncident, INCIDENT_KEYS, self.incidents)
        writer.commit()
        self.gen.progress(len(self.assessments))
        self.assessments, self.reviews, self.incidents = [], [], []

    def answers(self, column: int, before: dict[str, str] | None) -> dict[str, str]:
        """Each factor's answer: drawn afresh, or (after a first assessment) kept from the one
        before except one time in ``1 / CHANGE``."""
        rng, answers = self.rng, {}
        for key in self.factors:
            if before is not None and (key == "child" or rng.random() >= CHANGE):
                answers[key] = before[key]
                continue
            draw = rng.random()
            present = PRESENT[key][column]
            answers[key] = (
                "present" if draw < present
                else "unknown" if draw < present + UNKNOWN * (1 - present)
                else "absent"
            )  # fmt: skip
        return answers

    def plan_witness(self, i: int) -> None:
        """Witness ``i``'s assessments, the reviews they scheduled, and maybe an incident."""
        gen, rng = self.gen, self.rng
        wid, officer = gen.first_witness_id + i, gen.w_officer[i]
        column = _COLUMN[chr(gen.w_kind[i])]
        # the day after the file was opened, at the earliest
        joined = gen.timeline.base + timedelta(days=gen.w_joined[i] + 1)
        history: list[tuple[dict[str, str], RiskLevel, str, RiskLevel]] = []
        answers = None
        for _ in range(rng.choices((1, 2, 3, 4), (35, 30, 20, 15))[0]):
            answers = self.answers(column, answers)
            rule_level, reason = level_for(CURRENT, answers)
            level = rule_level
            if rng.random() < 1 / 30 and rule_level is not RiskLevel.critical:
                level = LEVELS[rule_level.rank + 1]
            history.append((answers, rule_level, reason, level))
        days = self.completion_days(history, joined)
        history = history[len(history) - len(days) :]
        ids = [gen.new_id(RiskAssessment) for _ in history]
        done = [self.instant(day) for day in days]
        for k, (answers, rule_level, reason, level) in enumerate(history):
            present = [key for key, a in answers.items() if a == "present"]
            noted = {key for key in present if rng.random() < 0.5}
            stored = {
                key: {"answer": a, "note": NOTES[key] if key in noted else ""}
                for key, a in answers.items()
            }
            row = dict(
                id=ids[k], witness_id=wid, instrument=CURRENT,
                status=AssessmentStatus.completed, answers=stored,
                own_view=rng.choice(OWN_VIEWS), rule_level=rule_level, rule_reason=reason,
                level=level, override_reason=OVERRIDE_REASON if level is not rule_level else "",
                is_current=k == len(history) - 1, previous_id=ids[k - 1] if k else None,
                created_by_id=officer, created_dt=done[k] - timedelta(minutes=rng.randint(20, 90)),
                completed_by_id=officer, completed_dt=done[k],
            )  # fmt: skip
            self.assessments.append(self.convert_assessment(row))
            # the review this assessment scheduled: done by the next one, or open
            last = k == len(history) - 1
            every = REVIEW_DAYS[level.value]
            self.review(
                wid, officer, ReviewSource.scheduled, f"assessment:{ids[k]}",
                f"{level.label} risk: reviewed every {every} days", days[k] + timedelta(days=every),
                done[k], None if last else (done[k + 1], ids[k + 1]),
            )  # fmt: skip
        if rng.random() < TRIGGER_SHARE:
            source, reason = rng.choice(TRIGGERS)
            due = max(self.today + timedelta(days=rng.randint(-5, 10)), days[-1])
            made = self.instant(min(due - timedelta(days=3), self.today))
            made = min(max(made, done[-1] + timedelta(minutes=1)), gen.now)
            self.review(wid, officer, source, f"bench:{source.value}", reason, due, made, None)
        if rng.random() < INCIDENT_SHARE and days[-1] < self.today:
            self.incident(wid, officer, days[-1])

    def completion_days(self, history: list, joined: date) -> list[date]:
        """The local day each assessment was completed on, oldest first: the last so that its
        review is overdue, due this week or later in the shares wanted; each before it when
        its own review fell due, give or take; none before the witness joined (those left
        out, the last kept)."""
        rng = self.rng
        every = REVIEW_DAYS[history[-1][3].value]
        draw = rng.random()
        if draw < OVERDUE:
            due_in = -rng.randint(1, 30)
        elif draw < OVERDUE + THIS_WEEK:
            due_in = rng.randint(0, 6)
        else:
            due_in = rng.randint(min(7, every), every)
        last = max(min(self.today, self.today + timedelta(days=due_in - every)), joined)
        days = [min(last, self.today)]
        for _, _, _, level in reversed(history[:-1]):
            gap = REVIEW_DAYS[level.value] + rng.randint(-2, 10)
            day = days[-1] - timedelta(days=max(gap, 1))
            if day < joined:
                break
            days.append(day)
        days.reverse()
        return days

    def instant(self, day: date) -> datetime:
        """A time in office hours on ``day`` (local), in UTC; never after now."""
        local = time(self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        return min(datetime.combine(day, local, self.zone).astimezone(UTC), self.gen.now)

    def review(self, wid, officer, source, key, reason, due, made, done) -> None:
        done_dt, done_id = done if done is not None else (None, None)
        row = dict(
            id=self.gen.new_id(RiskReview), witness_id=wid, source=source, key=key,
            due_date=due, reason=reason, created_dt=made, created_by_id=officer,
            done_dt=done_dt, done_assessment_id=done_id,
        )  # fmt: skip
        self.reviews.append(self.convert_review(row))

    def incident(self, wid: int, officer: int, assessed: date) -> None:
        """An incident since the last assessment: its review due the day it was recorded."""
        rng = self.rng
        day = assessed + timedelta(days=rng.randint(1, (self.today - assessed).days))
        occurred = self.instant(day)
        recorded = min(occurred + timedelta(hours=rng.randint(1, 6)), self.gen.now)
        kind, description = rng.choice(INCIDENTS)
        told = rng.random() < 0.7
        incident_id = self.gen.new_id(RiskIncident)
        row = dict(
            id=incident_id, witness_id=wid, kind=kind, reported_by="The witness, by phone",
            occurred_dt=occurred, description=description, police_told=told,
            police_reference=f"CAD-{rng.randint(1000, 9999)}" if told else "",
            recorded_by_id=officer, recorded_dt=recorded,
        )  # fmt: skip
        self.incidents.append(self.convert_incident(row))
        self.review(
            wid, officer, ReviewSource.incident, f"incident:{incident_id}",
            f"Incident: {kind.label.lower()} on {occurred:%d %b %Y}",
            recorded.astimezone(self.zone).date(), recorded, None,
        )  # fmt: skip
