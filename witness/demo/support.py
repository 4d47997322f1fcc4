"""The demo's support ledger: what each victim-witness was given, and why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from witness.cases.models import Case
from witness.core.errors import DomainError
from witness.demo.base import DemoState
from witness.demo.roster import CaseSpec
from witness.ledger.models import SupportCategory
from witness.ledger.services import approve_item, record_item, reverse_item
from witness.people.models import NeedArea, NeedsAssessment, Participation, ParticipationRole
from witness.people.services import active_assignments as witness_assignments

#: cash-like items the supervisor has yet to approve (the dashboard's "approvals pending")
AWAITING_APPROVAL = 10
_CURRENCY = {"Europe/London": "GBP", "Asia/Bangkok": "THB", "Australia/Sydney": "AUD"}
#: roughly what a pound buys in each, so the demo's amounts read as real ones
_PER_POUND = {"GBP": Decimal("1"), "THB": Decimal("45"), "AUD": Decimal("1.9")}
_SUPPORT_FOR_NEED = {
    NeedArea.childcare: (SupportCategory.childcare, "Childminder on court days", "day", 60),
    NeedArea.transport: (SupportCategory.transport, "Taxi to and from court", "trip", 42),
    NeedArea.language: (SupportCategory.interpreting, "Interpreter for the meeting", "hour", 55),
    NeedArea.disability_medical: (
        SupportCategory.medical_dental,
        "GP appointment and prescription",
        "visit",
        30,
    ),
    NeedArea.intimidation: (
        SupportCategory.safety_security,
        "Lock change and door camera",
        "item",
        180,
    ),
    NeedArea.other: (SupportCategory.communication, "Prepaid phone top-up", "top-up", 15),
}


class SupportSteps(DemoState):
    """Support items for every victim-witness with an officer: met needs, then the everyday
    costs of taking part; cash approved by the supervisor (ten still awaiting approval); one
    mistake reversed."""

    def add_support(self, cases: list[tuple[CaseSpec, Case]]) -> None:
        """What each victim-witness was given, with its reason: met needs first, then the
        everyday costs of taking part; cash approved by the supervisor; one mistake reversed."""
        supervisor = self.users["supervisor"]
        reversed_one = False
        for _, case in cases:
            participations = self.session.scalars(
                select(Participation).where(
                    Participation.case_id == case.id,
                    Participation.role == ParticipationRole.victim_witness,
                )
            ).all()
            for participation in participations:
                witness = participation.witness
                assignment = next(iter(witness_assignments(self.session, witness)), None)
                if assignment is None:
                    continue
                officer = assignment.user
                for need in self.session.scalars(
                    select(NeedsAssessment).where(NeedsAssessment.witness_id == witness.id)
                ):
                    category, description, unit, value = _SUPPORT_FOR_NEED[need.area]
                    self.record_support(
                        officer,
                        witness,
                        case,
                        category,
                        description,
                        unit,
                        value,
                        rationale=need.notes,
                        need_id=need.id,
                    )
                item = self.record_support(
                    officer,
                    witness,
                    case,
                    SupportCategory.witness_expenses,
                    "Subsistence allowance for the day at court",
                    "day",
                    Decimal("25.00"),
                    rationale="Lost a day's wages attending the pre-trial meeting",
                )
                if item is not None and item.needs_approval:
                    if self.counters["awaiting approval"] < AWAITING_APPROVAL:
                        self.counters["awaiting approval"] += 1  # the supervisor's to approve
                    else:
                        approve_item(self.session, supervisor, item, "Receipt and attendance seen")
                if item is not None and not reversed_one:
                    duplicate = self.record_support(
                        officer,
                        witness,
                        case,
                        SupportCategory.transport,
                        "Return train fare to the interview",
                        "trip",
                        Decimal("18.40"),
                        rationale="Travel to the police interview",
                    )
                    if duplicate is not None:
                        reverse_item(self.session, officer, duplicate, "Entered twice")
                        reversed_one = True

    def record_support(
        self,
        officer,
        witness,
        case,
        category,
        description,
        unit,
        value,
        *,
        rationale,
        need_id=None,
    ):
        try:
            return record_item(
                self.session,
                officer,
                witness,
                case_id=case.id,
                category=category,
                description=description,
                quantity=Decimal("1"),
                unit=unit,
                value=value,
                currency=_CURRENCY.get(case.court.timezone, "GBP"),
                date_provided=self.today - timedelta(days=self.rng.randint(3, 90)),
                rationale=rationale,
                need_id=need_id,
            )
        except DomainError:
            return None  # a witness whose officer may not record for them: nothing to show
