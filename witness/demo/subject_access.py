"""The demo's requests by a witness for their own data: the demo officer's first witness asked
for a copy of everything held three days ago (recorded, ready to download), and asked five weeks
ago for their nationality to be corrected, still unanswered, so the witness page shows it
overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.demo.base import DemoState
from witness.people.models import Assignment, Witness
from witness.subject_access import services


class SubjectAccessSteps(DemoState):
    def add_subject_requests(self) -> None:
        officer = self.users["liaison"]
        witness = self.session.scalar(
            select(Witness)
            .join(Assignment, Assignment.witness_id == Witness.id)
            .where(Assignment.user_id == officer.id, Assignment.ended_dt.is_(None))
            .order_by(Witness.id)
            .limit(1)
        )
        if witness is None:
            return
        today = self.today
        services.record_access_request(
            self.session,
            officer,
            witness,
            today - timedelta(days=3),
            "Seen in person at the office; identity confirmed against the residence permit "
            "copy on file.",
        )
        services.record_correction_request(
            self.session,
            officer,
            witness,
            today - timedelta(days=35),
            "The nationality on the file is wrong: the witness says they are Lao, not Thai.",
        )
