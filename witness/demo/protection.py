"""The demo's protection plan: the victim whose trafficker is released in 20 days has a plan
talked through with them ten days ago, and one action added since, so the plan shows
"changed since the witness was consulted" until the officer talks it through again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.cases.models import CaseStatus
from witness.demo.base import DemoState
from witness.people.models import Participation, ParticipationRole, Witness
from witness.protection import services as protection
from witness.protection.models import ActionKind, ActionStatus, ConsultationMethod


class ProtectionSteps(DemoState):
    def add_protection(self, cases: list) -> None:
        sentenced = next(
            (c for spec, c in cases if spec.court == "london" and c.status is CaseStatus.sentenced),
            None,
        )
        if sentenced is None:
            return
        witness = self.session.scalar(
            select(Witness)
            .join(Participation, Participation.witness_id == Witness.id)
            .where(
                Participation.case_id == sentenced.id,
                Participation.role == ParticipationRole.victim_witness,
            )
            .order_by(Witness.id)
            .limit(1)
        )
        if witness is None:
            return
        officer = self.users["liaison"]
        partner = next(
            (v for v, _ in protection.owner_options(self.session, witness) if v.startswith("org:")),
            f"user:{officer.id}",
        )
        shelter = protection.add_action(
            self.session,
            officer,
            witness,
            kind=ActionKind.safe_accommodation,
            owner=protection.parse_owner(partner),
            detail="A room at the shelter, address known only to the shelter and the officer",
        )
        protection.change_action(
            self.session, officer, shelter, status=ActionStatus.in_place, due_date=None
        )
        protection.add_action(
            self.session,
            officer,
            witness,
            kind=ActionKind.new_phone,
            owner=protection.Owner(user_id=officer.id),
            due_date=self.today + timedelta(days=3),
        )
        language = witness.languages[0] if witness.languages else ""
        protection.record_consultation(
            self.session,
            officer,
            witness,
            consulted_on=self.today - timedelta(days=10),
            method=ConsultationMethod.in_person,
            interpreter_language=language if witness.needs_interpreter else "",
            agreed="Stay at the shelter; a new phone whose number only the officer has",
            objected="Does not want to move to another city",
        )
        # The release date came in since: a police marker on the shelter's address, not yet
        # talked through with them.
        protection.add_action(
            self.session,
            officer,
            witness,
            kind=ActionKind.police_marker,
            owner=protection.Owner(other="Local police, safeguarding team"),
            detail="Marker on the shelter's address before the release date",
            due_date=self.today + timedelta(days=14),
        )
