"""The demo's retention: one witness whose file was closed a month ago (the final notice went
by the channel they allow) and one closed long ago whose file a supervisor holds for a civil
claim, so the Retention page shows a file not yet due and one the hold keeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from witness.demo.base import DemoState
from witness.people.models import Participation, Phase, Witness
from witness.retention import services as retention


class RetentionSteps(DemoState):
    def add_retention(self) -> None:
        supervisor = self.users["supervisor"]
        # Witnesses after trial in the office, the newest files: the first ones carry the
        # protection and risk stories of the other steps.
        witnesses = list(
            self.session.scalars(
                select(Witness)
                .where(
                    Witness.organisation_id == supervisor.organisation_id,
                    Witness.id.in_(
                        select(Participation.witness_id).where(
                            Participation.phase == Phase.post_trial
                        )
                    ),
                )
                .order_by(Witness.id.desc())
                .limit(2)
            )
        )
        if len(witnesses) < 2:
            return
        closed, held = witnesses
        closure = retention.close_file(
            self.session, supervisor, closed, "Sentence served and support plan completed"
        )
        closure.closed_dt = self.now - timedelta(days=30)
        old = retention.close_file(self.session, supervisor, held, "Case concluded")
        old.closed_dt = self.now - timedelta(days=365 * 7)
        retention.place_hold(
            self.session,
            supervisor,
            held,
            "Civil claim for compensation pending in the county court",
        )
        self.session.flush()
