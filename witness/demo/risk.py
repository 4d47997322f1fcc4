"""The demo's risk: a critical witness with a trial in 10 days (threats with the accused at
large), an incident last night for them, and another witness whose review is overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.cases.models import Case, CaseStatus, HearingType
from witness.demo.base import DemoState
from witness.hearings.services import create_hearing
from witness.people.models import Participation, Phase, Witness
from witness.risk.instrument import factors_of
from witness.risk.models import IncidentKind
from witness.risk.services import ask_for_review, complete_assessment, record_incident
from witness.risk.services import start_assessment as start

CRITICAL = {"threats": "Voice messages from the accused's brother", "accused_at_large": "On bail"}
#: the critical witness's earlier assessments, as the risk rose: months ago, factors present
#: (low, then medium, then high; the dashboard's chart of risk levels over time)
HISTORY = (
    (9, {}),
    (6, {"debts": "Owes the recruiter for the journey"}),
    (3, {"threats": "A message passed on through a cousin"}),
)


class RiskSteps(DemoState):
    def add_risk(self, cases: list) -> None:
        """One critical witness before a trial in 10 days, one incident, one overdue review."""
        case = next(
            (c for spec, c in cases if spec.court == "london" and c.status is CaseStatus.trial),
            None,
        )
        witnesses = _witnesses(self.session, case) if case is not None else []
        if len(witnesses) < 2:
            return
        officer = self.users["supervisor"]
        start_dt = self.local(case.court, self.working_day(10), 10)
        create_hearing(
            self.session,
            officer,
            case,
            type=HearingType.trial_day,
            start=start_dt,
            end=start_dt + timedelta(hours=6),
        )
        critical, other = witnesses[0], witnesses[1]
        self.add_risk_history(critical)
        draft = start(self.session, officer, critical, "v1")
        answers = {
            f.key: ("present" if f.key in CRITICAL else "absent", CRITICAL.get(f.key, ""))
            for f in factors_of("v1")
        }
        complete_assessment(
            self.session,
            officer,
            draft,
            answers=answers,
            own_view="I am scared he will find me before the trial.",
            confirmed=True,
        )
        record_incident(
            self.session,
            officer,
            critical,
            kind=IncidentKind.sighting,
            reported_by="The witness, by phone",
            occurred_dt=self.now - timedelta(hours=14),
            description="Saw a car she knows from the accused's street outside the shelter.",
            police_told=True,
            police_reference="CAD-4471",
        )
        review = ask_for_review(self.session, officer, other, "Worried about the trial")
        review.due_date = self.today - timedelta(days=5)  # the demo's overdue review
        self.session.flush()

    def add_risk_history(self, witness: Witness) -> None:
        """Earlier assessments of ``witness``, dated months back, before the current one."""
        officer = self.users["supervisor"]
        for months_ago, present in HISTORY:
            draft = start(self.session, officer, witness, "v1")
            answers = {
                f.key: ("present" if f.key in present else "absent", present.get(f.key, ""))
                for f in factors_of("v1")
            }
            done = complete_assessment(
                self.session, officer, draft, answers=answers, own_view="", confirmed=True
            )
            done.created_dt = done.completed_dt = self.now - timedelta(days=30 * months_ago)
        self.session.flush()


def _witnesses(session, case: Case) -> list[Witness]:
    return list(
        session.scalars(
            select(Witness)
            .join(Participation, Participation.witness_id == Witness.id)
            .where(Participation.case_id == case.id, Participation.phase != Phase.closed)
            .order_by(Witness.id)
        )
    )
