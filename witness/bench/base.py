"""What every step of the generator shares: the scale asked for, the result, the ids given so
far, the seeded random generator, the clock and the writer."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, User
from witness.bench.vocabulary import (
    BENCH_PASSWORD,
    EMAIL_DOMAIN,
    REGIONS,
    STAFF_FAMILY,
    STAFF_GIVEN,
)
from witness.bench.writer import BulkWriter
from witness.cases.models import Case, Court, Defendant, Hearing, HearingChange
from witness.core.time import now_utc
from witness.demo.vocabulary import NATIONALITIES
from witness.hearings.models import SpecialMeasure
from witness.ledger.models import SupportApproval, SupportItem
from witness.notify.models import NotificationTask
from witness.outcomes.models import OutcomeEvent
from witness.people.models import (
    Assignment,
    Consent,
    NeedsAssessment,
    Participation,
    PhaseTransition,
    Witness,
)
from witness.risk.models import RiskAssessment, RiskIncident, RiskReview
from witness.rooms.models import Resource
from witness.scheduling.models import Appointment, AppointmentSlot, Interpreter

#: tables with an integer ``id`` written here (their sequences are reset on PostgreSQL)
ID_TABLES = (
    Organisation, Court, User, Case, Defendant, Witness, Participation, PhaseTransition,
    Consent, Assignment, NeedsAssessment, Resource, Interpreter, Hearing, HearingChange,
    Appointment, AppointmentSlot, SpecialMeasure, SupportItem, SupportApproval, OutcomeEvent,
    NotificationTask, RiskAssessment, RiskReview, RiskIncident,
)  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """How much to generate; the defaults are a national service."""

    witnesses: int = 100_000
    cases: int = 50_000
    courts: int = 40
    offices: int = 8
    ngos: int = 30
    witnesses_per_officer: int = 125
    hearings: int = 200_000
    appointments: int = 1_000_000
    #: rooms per court
    courtrooms: int = 4
    video_suites: int = 2
    remote_sites: int = 1
    waiting_rooms: int = 2
    #: interpreters per prosecution office
    interpreters: int = 20
    #: support ledger entries (reversals included), hash-chained per case
    ledger_entries: int = 2_000_000
    #: entries of the one case with the most (the disclosure report's worst case); at most
    #: ``ledger_entries``
    disclosure_case_entries: int = 10_000
    #: verdicts and sentences with their notification tasks (witness.bench.outcomes)
    outcomes: bool = True
    #: every witness's risk history: assessments, reviews, a few incidents (witness.bench.risk)
    risk: bool = True
    seed: int = 2026
    chunk: int = 5_000


#: the default: a national service
NATIONAL = Scale()


@dataclass
class Generated:
    """What was written: rows per table and a few sign-ins per role."""

    counts: Counter = field(default_factory=Counter)
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: appointments asked for that found no free time for everyone (normally none)
    unplaced_appointments: int = 0
    #: the case with the most ledger entries (``Scale.disclosure_case_entries`` of them)
    disclosure_case_id: int | None = None
    #: time spent planning and writing the ledger
    ledger_seconds: float = 0.0
    #: time spent planning and writing the risk histories
    risk_seconds: float = 0.0


class GeneratorBase:
    """The state of one run; ``witness.bench.generate._Generator`` adds the steps (its own and
    those of ``witness.bench.witnesses``)."""

    def __init__(self, session: Session, scale: Scale, progress: Callable[[int], None]) -> None:
        if not 1 <= scale.offices <= len(REGIONS):
            raise ValueError(f"offices must be between 1 and {len(REGIONS)}")
        if min(scale.witnesses, scale.cases, scale.courts, scale.ngos) < 1:
            raise ValueError("witnesses, cases, courts and ngos must be at least 1")
        if min(scale.hearings, scale.appointments, scale.interpreters) < 0:
            raise ValueError("hearings, appointments and interpreters cannot be negative")
        if min(scale.ledger_entries, scale.disclosure_case_entries) < 0:
            raise ValueError("ledger entries cannot be negative")
        self.session = session
        self.scale = scale
        self.progress = progress
        self.rng = random.Random(scale.seed)
        self.now = now_utc()
        self.today = self.now.date()
        self.result = Generated()
        self.next_id = {
            m.__tablename__: session.scalar(select(func.coalesce(func.max(m.id), 0)))
            for m in ID_TABLES
        }
        self.password_hash = generate_password_hash(BENCH_PASSWORD)
        #: a witness's first language, and whether its speakers need an interpreter
        self.witness_languages: dict[str, bool] = {}
        for nat in NATIONALITIES.values():
            first = nat.languages[0]
            self.witness_languages[first] = (
                self.witness_languages.get(first, False) or nat.needs_interpreter
            )
        self.language_codes = sorted(self.witness_languages)
        self.writer = BulkWriter(session, self.result.counts)
        self.suffix, self.domain = self._free_names()

    def new_id(self, model) -> int:
        """The next id of ``model``'s table (ids are given here, not by the database)."""
        self.next_id[model.__tablename__] += 1
        return self.next_id[model.__tablename__]

    def days_ago(self, days: float) -> datetime:
        """An instant ``days`` before now, at a varied time of day."""
        return self.now - timedelta(days=days, minutes=self.rng.randint(0, 480))

    def between(self, start: datetime, end: datetime) -> datetime:
        """An instant between ``start`` and ``end`` (``end`` if they are the wrong way round)."""
        if end <= start:
            return end
        return start + (end - start) * self.rng.uniform(0.1, 0.9)

    def person(self) -> str:
        """A member of staff's or an interpreter's name."""
        return f"{self.rng.choice(STAFF_GIVEN)} {self.rng.choice(STAFF_FAMILY)}"

    def _free_names(self) -> tuple[str, str]:
        """A suffix for names and e-mails, so a forced second run does not clash."""
        batch = 1
        while True:
            suffix = "" if batch == 1 else f" ({batch})"
            name = f"Prosecution Office {REGIONS[0]}{suffix}"
            if self.session.scalar(select(Organisation.id).where(Organisation.name == name)):
                batch += 1
                continue
            return suffix, EMAIL_DOMAIN if batch == 1 else f"scale{batch}.example"
