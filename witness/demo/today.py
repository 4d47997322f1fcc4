"""The demo's today, for the dashboard: a meeting with a witness today for the liaison officer
and a pre-trial review later this week in a case the prosecutor leads."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from witness.cases.models import Case, CaseStatus, HearingType
from witness.core.errors import DomainError
from witness.demo.base import DemoState
from witness.hearings.services import create_hearing
from witness.notify.queries import office_timezone
from witness.people.models import Assignment, Participation, Phase, Witness
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment


class TodaySteps(DemoState):
    def add_today(self) -> None:
        """Today's meeting for the officer and a hearing this week for the prosecutor's case,
        in a court of the office's own timezone (the dashboard's days are the office's)."""
        officer = self.users["liaison"]
        zone = office_timezone(self.session, officer.organisation_id)
        found = self.session.execute(
            select(Witness, Case)
            .join(Assignment, Assignment.witness_id == Witness.id)
            .join(Participation, Participation.witness_id == Witness.id)
            .join(Case, Case.id == Participation.case_id)
            .where(
                Assignment.user_id == officer.id,
                Assignment.ended_dt.is_(None),
                Participation.phase != Phase.closed,
                Case.lead_prosecutor_id == self.users["prosecutor"].id,
                Case.status != CaseStatus.closed,
            )
            .order_by(Witness.id)
        ).all()
        match = next(((w, c) for w, c in found if c.court.timezone == zone), None)
        if match is None:
            return
        witness, case = match
        day = self.working_day(2)
        start = self.local(case.court, day, 10)
        create_hearing(
            self.session,
            self.users["supervisor"],
            case,
            type=HearingType.pre_trial_review,
            start=start,
            end=start + timedelta(hours=2),
            external_ref=f"PTR-{case.reference}",
        )
        self._meeting_today(officer, witness, case, zone)

    def _meeting_today(self, officer, witness, case, zone: str) -> None:
        """A meeting booked (as any) in the days ahead, then set on today: at the next full
        hour, or this morning when the day is nearly over."""
        # days ahead in the demo's UTC calendar may be today already in the court's
        later = self.local(case.court, self.working_day(3), 9)
        try:
            appointment = book_appointment(
                self.session,
                officer,
                witness,
                Booking(
                    kind=AppointmentKind.pre_trial_meeting,
                    start=later,
                    end=later + timedelta(hours=1),
                    # the supervisor sits in: the case's first review of the week
                    staff_ids=[officer.id, self.users["supervisor"].id],
                    address="Witness Service office, 2 Quiet Lane",
                    notes="Go through the pre-trial review and what she may be asked.",
                    case_id=case.id,
                ),
            )
        except DomainError:
            return
        local_now = self.now.astimezone(ZoneInfo(zone))
        hour = local_now.hour + 1 if local_now.hour < 21 else 9
        start = datetime.combine(local_now.date(), time(hour), ZoneInfo(zone)).astimezone(UTC)
        appointment.start_dt, appointment.end_dt = start, start + timedelta(hours=1)
        self.session.flush()
