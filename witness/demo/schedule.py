"""The demo's schedule: rooms and interpreters, a trial day for each case at trial, the
officers' bookings around them, and the one witness who asked for invites in full detail."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from witness.auth.models import Role
from witness.cases.models import Case, CaseStatus, HearingType
from witness.core.access import visible_witnesses
from witness.core.errors import DomainError
from witness.demo.base import DemoState
from witness.demo.roster import INTERPRETERS, ROOMS, CaseSpec
from witness.hearings.services import create_hearing
from witness.notify.models import OutboundEmail
from witness.people.invite_detail import set_invite_detail
from witness.people.models import Channel, Consent, ConsentKind, Participation, Witness
from witness.people.services import active_assignments as witness_assignments
from witness.rooms.models import Resource, ResourceKind
from witness.rooms.services import create_resource
from witness.scheduling.models import AppointmentKind
from witness.scheduling.queries import interpreters_of
from witness.scheduling.services import Booking, book_appointment, create_interpreter


class ScheduleSteps(DemoState):
    """Rooms of each court, interpreters, upcoming hearings with their measures, and bookings."""

    def add_schedule(self, cases: list[tuple[CaseSpec, Case]]) -> None:
        """Rooms and interpreters, a trial day for each case at trial (its standard measures
        proposed), and the officers' bookings around them. Demo invites are not e-mailed."""
        supervisor = self.users["supervisor"]
        rooms: dict[int, dict[ResourceKind, Resource]] = {}
        for court in self.courts.values():
            rooms[court.id] = {}
            for kind, name, location in ROOMS:
                room = create_resource(
                    self.session,
                    supervisor,
                    court_id=court.id,
                    kind=kind,
                    name=name,
                    location=location,
                    opens_at=time(8, 0),
                    closes_at=time(18, 0),
                )
                rooms[court.id].setdefault(kind, room)
        for name, languages in INTERPRETERS:
            create_interpreter(self.session, supervisor, name=name, languages=languages)
        trial_cases = [c for _, c in cases if c.status in (CaseStatus.trial, CaseStatus.charged)]
        for n, case in enumerate(trial_cases):
            day = self.working_day(7 + 3 * n)
            hearing = create_hearing(
                self.session,
                supervisor,
                case,
                type=HearingType.trial_day,
                start=self.local(case.court, day, 10),
                end=self.local(case.court, day, 16),
                courtroom_id=rooms[case.court_id][ResourceKind.courtroom].id,
                external_ref=f"LIST-{case.reference}",
            )
            self.book_for_hearing(case, hearing, rooms[case.court_id])
        self.session.execute(delete(OutboundEmail))

    def book_for_hearing(self, case: Case, hearing, rooms) -> None:
        """Accompaniment for each officer's victim-witnesses in the case, together in one
        booking (one officer, one interpreter) when they share a language, and a
        familiarisation visit for the first of them a few days before."""
        participations = self.session.scalars(
            select(Participation).where(Participation.case_id == case.id)
        ).all()
        by_officer: dict[int, list] = {}
        for participation in participations:
            witness = participation.witness
            assignment = next(
                (
                    a
                    for a in witness_assignments(self.session, witness)
                    if a.user.role is Role.liaison_officer
                ),
                None,
            )
            if assignment is not None:
                by_officer.setdefault(assignment.user_id, []).append((assignment.user, witness))
        for pairs in by_officer.values():
            officer, witness = pairs[0]
            language = witness.languages[0] if witness.needs_interpreter else None
            # the officer's other witnesses of the case go in the same booking when one
            # interpreter can serve them all (or none needs one)
            others = [
                w.id
                for _, w in pairs[1:]
                if (language in w.languages if w.needs_interpreter else True)
            ]
            interpreter = (
                next(iter(interpreters_of(self.session, officer.organisation_id, language)), None)
                if language
                else None
            )
            visit_day = hearing.start_dt.astimezone(ZoneInfo(case.court.timezone)).date()
            visit_day -= timedelta(days=3 if visit_day.isoweekday() > 3 else 5)
            plans = [
                Booking(
                    kind=AppointmentKind.familiarisation,
                    start=self.local(case.court, visit_day, 14),
                    end=self.local(case.court, visit_day, 15),
                    staff_ids=[officer.id],
                    travel_minutes=30,
                    resource_id=rooms[ResourceKind.courtroom].id,
                    interpreter_id=interpreter.id if interpreter else None,
                    language=language,
                    notes="Show the courtroom and the waiting room; explain who sits where.",
                    case_id=case.id,
                ),
                Booking(
                    kind=AppointmentKind.accompaniment,
                    start=hearing.start_dt - timedelta(hours=1),
                    end=hearing.end_dt,
                    staff_ids=[officer.id],
                    travel_minutes=45,
                    resource_id=rooms[ResourceKind.waiting_room].id,
                    interpreter_id=interpreter.id if interpreter else None,
                    language=language,
                    notes="Meet at the side entrance; wait in the witness waiting room.",
                    hearing_id=hearing.id,
                    # what the witness's own (discreet) invite gives as the place
                    witness_meeting_point="The bus stop on Station Road",
                    other_witness_ids=others,
                ),
            ]
            for plan in plans:
                try:
                    book_appointment(self.session, officer, witness, plan)
                except DomainError:
                    continue  # a clash or a closed room: the demo leaves that slot empty

    def add_invite_choice(self) -> None:
        """One adult witness who asked for invites in full detail; everyone else's stay
        discreet (the default)."""
        officer = self.users["liaison"]
        emailed = select(Consent.witness_id).where(
            Consent.kind == ConsentKind.notify,
            Consent.channel == Channel.email,
            Consent.is_current.is_(True),
            Consent.is_granted.is_(True),
        )
        candidates = self.session.scalars(
            select(Witness)
            .where(Witness.id.in_(emailed), visible_witnesses(officer))
            .order_by(Witness.id)
        ).all()
        for witness in candidates:
            if not witness.is_child_on(self.today):
                set_invite_detail(
                    self.session,
                    officer,
                    witness,
                    full_detail=True,
                    reason="Lives alone and keeps her phone locked; wants the court's name and "
                    "address in her calendar so she can plan the journey.",
                    informed=True,
                )
                return
