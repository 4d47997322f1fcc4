"""Synthetic national-scale data for the benchmark and the load test (issues 3, 4 and 5).

Rows are planned in Python with explicit ids and written by the driver (executemany on SQLite,
COPY on PostgreSQL), one transaction per chunk, in a background thread while the next chunk is
planned (``witness.bench.writer``): the national default (6.3 million rows, a million of them
appointments) loads in about five minutes. Values follow the demo's vocabulary
(``witness.demo.vocabulary``): the same phase paths by case status, reasons, notes and names.
No audit events are written: the data stands for years of past work.

This module plans the organisations, courts, users and cases and runs the steps in order
(``_Generator.run``); the run's shared state is in ``witness.bench.base``. The witnesses come
from ``witness.bench.witnesses``; rooms, interpreters and hearings from
``witness.bench.hearings``; appointments from ``witness.bench.appointments`` and special
measures from ``witness.bench.measures``; the support ledger (2 million entries with valid
hash chains, one case of 10,000 for the disclosure report) from ``witness.bench.ledger``;
verdicts and their notification tasks from ``witness.bench.outcomes``; every witness's risk
history (assessments, reviews, incidents) from ``witness.bench.risk``.
"""

from __future__ import annotations

import statistics
import time
from array import array
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.bench.appointments import AppointmentGenerator
from witness.bench.base import ID_TABLES, NATIONAL, Generated, Scale
from witness.bench.hearings import HearingGenerator
from witness.bench.ledger import LedgerGenerator
from witness.bench.outcomes import OutcomeGenerator
from witness.bench.risk import RiskGenerator
from witness.bench.vocabulary import (
    BENCH_PASSWORD,
    CASE_STATUS_WEIGHTS,
    COURT_SERVICE,
    COURT_TIMEZONE,
    NGO_KINDS,
    NGO_NAMES,
    OFFENCE_WEIGHTS,
    REGIONS,
    TOWNS,
    VICTIM_NATIONALITIES,
)
from witness.bench.witnesses import WitnessSteps
from witness.cases.models import (
    Case,
    CaseOffence,
    CaseStatus,
    Court,
    CustodyStatus,
    Defendant,
    OffenceCategory,
)
from witness.demo.vocabulary import CASE_AGE_DAYS, CUSTODY_BY_STATUS, NATIONALITIES
from witness.people.models import Assignment, Witness
from witness.scheduling.models import AppointmentStaff

REQUIRED_TABLES = [m.__tablename__ for m in ID_TABLES] + [
    CaseOffence.__tablename__,
    AppointmentStaff.__tablename__,
]


class SchemaMissing(Exception):
    """The database has no Witness schema yet."""


class NotEmpty(Exception):
    """The database already holds witnesses."""


def check_database(session: Session, *, force: bool = False) -> None:
    """Raise ``SchemaMissing`` or ``NotEmpty`` unless the database can take generated data."""
    inspector = inspect(session.connection())
    missing = [t for t in REQUIRED_TABLES if not inspector.has_table(t)]
    if missing:
        raise SchemaMissing(
            f"The database has no Witness schema (missing: {', '.join(missing)}). "
            "Run `flask --app app init-db` first."
        )
    has_witnesses = session.scalar(select(Witness.id).limit(1)) is not None
    if has_witnesses and not force:
        raise NotEmpty(
            "The database already has witnesses; generated data would mix with them. "
            "Use an empty database (run `flask --app app init-db` on a new one), or --force."
        )


def generate(
    session: Session,
    scale: Scale = NATIONAL,
    *,
    progress: Callable[[int], None] | None = None,
    analyze: bool = True,
) -> Generated:
    """Write a generated service into ``session``'s database, committing once per chunk.

    Inside a test's rolled-back connection (``join_transaction_mode="create_savepoint"``) each
    commit only releases a savepoint, so the test still rolls everything back.
    """
    started = time.perf_counter()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # Index pages of a million rows stay in memory instead of going back and forth to the
        # file: a third off the load time. Only this connection, restored below.
        default_cache = session.execute(text("PRAGMA cache_size")).scalar()
        session.execute(text("PRAGMA cache_size=-262144"))
    generator = _Generator(session, scale, progress or (lambda n: None))
    try:
        result = generator.run()
    finally:
        generator.writer.close()
    if dialect == "postgresql":
        # Ids were given explicitly: move each sequence past them, or the app's next insert
        # would collide.
        for model in ID_TABLES:
            table = model.__tablename__
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    if analyze:
        # Planner statistics, as autovacuum would gather after a bulk load.
        session.execute(text("ANALYZE"))
    session.commit()
    if dialect == "sqlite":
        session.execute(text(f"PRAGMA cache_size={int(default_cache)}"))
        session.commit()
    result.seconds = time.perf_counter() - started
    return result


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


class _Generator(WitnessSteps):
    """Plans and writes the rows; one method per kind of record."""

    def run(self) -> Generated:
        """Every step in order: what a step reads was planned or written by those before it."""
        self.plan_cases()
        self.plan_witnesses()
        self.add_organisations_and_courts()
        self.add_users()
        self.writer.commit()
        self.add_cases()
        hearings = HearingGenerator(self)
        self.timeline = hearings.timeline
        hearings.add_resources_and_interpreters()
        hearings.add_hearings()
        self.add_witnesses()
        appointments = AppointmentGenerator(self, hearings)
        appointments.add_appointments()
        self.writer.wait()
        self.result.unplaced_appointments = appointments.unplaced
        started = time.perf_counter()
        self.result.disclosure_case_id = LedgerGenerator(self, hearings).add_ledger()
        self.writer.wait()
        self.result.ledger_seconds = time.perf_counter() - started
        if self.scale.outcomes:
            OutcomeGenerator(self).add_outcomes()
            self.writer.wait()
        if self.scale.risk:
            started = time.perf_counter()
            RiskGenerator(self).add_risk()
            self.writer.wait()
            self.result.risk_seconds = time.perf_counter() - started
        return self.result

    def plan_cases(self) -> None:
        """Court, office, status and age of every case, kept compact in arrays."""
        s, rng = self.scale, self.rng
        self.court_office = [i * s.offices // s.courts for i in range(s.courts)]
        statuses = list(CASE_STATUS_WEIGHTS)
        status_index = {st: i for i, st in enumerate(statuses)}
        self.statuses = statuses
        picks = rng.choices(statuses, weights=list(CASE_STATUS_WEIGHTS.values()), k=s.cases)
        self.case_status = array("B", (status_index[p] for p in picks))
        self.case_court = array("H", (rng.randrange(s.courts) for _ in range(s.cases)))
        self.case_age = array("H", (rng.randint(*CASE_AGE_DAYS[p]) for p in picks))
        offences = list(OFFENCE_WEIGHTS)
        weights = list(OFFENCE_WEIGHTS.values())
        self.case_offences: list[tuple[OffenceCategory, ...]] = []
        for _ in range(s.cases):
            first = rng.choices(offences, weights)[0]
            second = rng.choices(offences, weights)[0] if rng.random() < 0.3 else first
            self.case_offences.append((first,) if second is first else (first, second))
        self.cases_by_court: list[list[int]] = [[] for _ in range(s.courts)]
        for c, court in enumerate(self.case_court):
            self.cases_by_court[court].append(c)

    def case_office(self, c: int) -> int:
        """The prosecution office of case ``c``'s court."""
        return self.court_office[self.case_court[c]]

    def plan_witnesses(self) -> None:
        """Each witness's first case: every case gets one, big trafficking cases get more."""
        s, rng = self.scale, self.rng
        first = list(range(s.cases))
        rng.shuffle(first)
        first = first[: s.witnesses]
        weights = [3 if any(o.is_trafficking for o in offs) else 1 for offs in self.case_offences]
        extra = rng.choices(range(s.cases), weights, k=s.witnesses - len(first))
        plan = first + extra
        rng.shuffle(plan)
        self.witness_case = array("I", plan)
        self.office_witnesses = Counter(self.case_office(c) for c in plan)
        self.office_cases = Counter(self.case_office(c) for c in range(s.cases))

    # --- organisations, courts, users ---

    def add_organisations_and_courts(self) -> None:
        """The prosecution offices, the NGOs, the court service and the courts."""
        s = self.scale
        orgs, self.offices, self.ngos = [], [], []
        for i in range(s.offices):
            oid = self.new_id(Organisation)
            name = f"Prosecution Office {REGIONS[i]}{self.suffix}"
            orgs.append(dict(id=oid, name=name, kind=OrganisationKind.prosecution))
            self.offices.append(dict(id=oid, region=REGIONS[i], slug=_slug(REGIONS[i])))
        for i in range(s.ngos):
            oid = self.new_id(Organisation)
            kind = NGO_KINDS[(i // len(NGO_NAMES)) % len(NGO_KINDS)]
            base = f"{NGO_NAMES[i % len(NGO_NAMES)]} {kind}"
            rounds = i // (len(NGO_NAMES) * len(NGO_KINDS))
            # Past the names, numbered: its workers' e-mails (from the slug) must differ too.
            numbered = f"{base} {rounds + 1}" if rounds else base
            name = f"{numbered}{self.suffix}"
            orgs.append(dict(id=oid, name=name, kind=OrganisationKind.ngo))
            self.ngos.append(
                dict(id=oid, kind=kind, office=i % s.offices, slug=_slug(numbered), name=name)
            )
        orgs.append(
            dict(
                id=self.new_id(Organisation),
                name=COURT_SERVICE + self.suffix,
                kind=OrganisationKind.court_service,
            )
        )
        self.writer.write(Organisation, orgs)
        # The NGOs a region's witnesses are referred to; a region without one of its own
        # uses the national ones.
        self.region_ngos = {
            o: [n for n in self.ngos if n["office"] == o] or self.ngos for o in range(s.offices)
        }
        courts = []
        self.court_ids, self.court_towns, self.court_addresses = [], [], []
        for i in range(s.courts):
            town = TOWNS[i % len(TOWNS)] + (f" {i // len(TOWNS) + 1}" if i >= len(TOWNS) else "")
            cid = self.new_id(Court)
            self.court_ids.append(cid)
            self.court_towns.append(town)
            self.court_addresses.append(f"The Law Courts, {i + 1} Court Street, {town}")
            courts.append(
                dict(
                    id=cid,
                    name=f"{town} Crown Court{self.suffix}",
                    address=self.court_addresses[-1],
                    timezone=COURT_TIMEZONE,
                )
            )
        self.writer.write(Court, courts)

    def add_users(self) -> None:
        """Staff in proportion to the work: an officer per ~125 witnesses, a supervisor per
        twelve officers, a prosecutor per ~100 cases, up to five workers per NGO."""
        s = self.scale
        rows: list[dict] = []
        created = self.now - timedelta(days=730)

        def user(role: Role, org_id: int, email: str) -> int:
            uid = self.new_id(User)
            rows.append(
                dict(
                    id=uid,
                    email=email,
                    name=self.person(),
                    password_hash=self.password_hash,
                    role=role,
                    organisation_id=org_id,
                    is_enabled=True,
                    created_dt=created,
                    last_login_dt=None,
                )
            )
            return uid

        self.officers: list[list[int]] = []
        self.officer_weights: list[list[float]] = []
        self.supervisors: list[list[int]] = []
        self.prosecutors: list[list[int]] = []
        signs: dict[str, list[str]] = {}
        for o, office in enumerate(self.offices):
            n_officers = max(1, round(self.office_witnesses[o] / s.witnesses_per_officer))
            n_prosecutors = max(1, round(self.office_cases[o] / 100))
            prefix = f"{office['slug']}@{self.domain}"

            def email(role: str, n: int, prefix: str = prefix) -> str:
                return f"{role}.{n:03d}.{prefix}"

            user(Role.admin, office["id"], email("admin", 1))
            sups = [
                user(Role.supervisor, office["id"], email("supervisor", k + 1))
                for k in range(max(1, n_officers // 12))
            ]
            officers = [
                user(Role.liaison_officer, office["id"], email("officer", k + 1))
                for k in range(n_officers)
            ]
            pros = [
                user(Role.prosecutor, office["id"], email("prosecutor", k + 1))
                for k in range(n_prosecutors)
            ]
            self.supervisors.append(sups)
            self.officers.append(officers)
            # Caseloads differ: some officers carry 40% more than others.
            self.officer_weights.append(
                list(_cumulative(self.rng.uniform(0.6, 1.4) for _ in officers))
            )
            self.prosecutors.append(pros)
        per_ngo = max(1, min(5, s.witnesses // 20_000 + 1))
        #: where an NGO worker sees a witness (counselling), and their NGO
        self.worker_addresses: dict[int, str] = {}
        self.worker_org: dict[int, int] = {}
        for ngo in self.ngos:
            ngo["workers"] = [
                user(Role.ngo_worker, ngo["id"], f"worker.{k + 1}.{ngo['slug']}@{self.domain}")
                for k in range(per_ngo)
            ]
            for worker in ngo["workers"]:
                self.worker_addresses[worker] = f"{ngo['name']}, counselling room"
                self.worker_org[worker] = ngo["id"]
        self.writer.write(User, rows)
        for row in rows:
            signs.setdefault(row["role"], []).append(row["email"])
        for role in Role:
            for email in signs.get(role, [])[:3]:
                self.result.sign_ins.append((role.label, email, BENCH_PASSWORD))

    # --- cases ---

    def add_cases(self) -> None:
        """Every case with its offences and defendants, in chunks."""
        s = self.scale
        self.case_ids = array("I", bytes(4 * s.cases))
        self.case_lead = array("I", bytes(4 * s.cases))
        #: each case's first defendant (the outcomes are recorded against them)
        self.case_defendant = array("I", bytes(4 * s.cases))
        for start in range(0, s.cases, s.chunk):
            cases, offences, defendants = [], [], []
            for c in range(start, min(start + s.chunk, s.cases)):
                self.plan_case(c, cases, offences, defendants)
            self.writer.write(Case, cases)
            self.writer.write(CaseOffence, offences)
            self.writer.write(Defendant, defendants)
            self.writer.commit()
            self.progress(len(cases))

    def plan_case(self, c: int, cases: list, offences: list, defendants: list) -> None:
        """Case ``c``'s rows: the case, its offences and its defendants (custody fitting its
        stage)."""
        rng = self.rng
        status = self.statuses[self.case_status[c]]
        court = self.case_court[c]
        office = self.court_office[court]
        cid = self.new_id(Case)
        self.case_ids[c] = cid
        opened = self.days_ago(self.case_age[c])
        lead = None
        if status is not CaseStatus.investigation or rng.random() < 0.5:
            lead = rng.choice(self.prosecutors[office])
            self.case_lead[c] = lead
        names = []
        for _ in range(rng.choices((1, 2, 3, 4), (50, 30, 15, 5))[0]):
            nat = NATIONALITIES[rng.choice(VICTIM_NATIONALITIES + ["British"] * 4)]
            given = rng.choice(nat.male if rng.random() < 0.8 else nat.female)
            family = rng.choice(nat.family)
            names.append((f"{given} {family}", family))
            custody = rng.choice(CUSTODY_BY_STATUS[status])
            release = None
            if custody is CustodyStatus.serving_sentence:
                release = self.today + timedelta(days=rng.randint(30, 2400))
            elif custody is CustodyStatus.released:
                release = self.today - timedelta(days=rng.randint(20, 400))
            if not self.case_defendant[c]:
                self.case_defendant[c] = self.next_id[Defendant.__tablename__] + 1
            defendants.append(
                dict(
                    id=self.new_id(Defendant),
                    case_id=cid,
                    name=names[-1][0],
                    custody_status=custody,
                    expected_release_date=release,
                )
            )
        title = f"R v {names[0][1]}" + {1: "", 2: f" and {names[-1][1]}"}.get(
            len(names), " and others"
        )
        cases.append(
            dict(
                id=cid,
                organisation_id=self.offices[office]["id"],
                court_id=self.court_ids[court],
                # Unique within the court: the case's own index is.
                reference=f"T{opened.year}-{c + 1:06d}",
                title=title,
                status=status,
                lead_prosecutor_id=lead,
                notes="",
                created_dt=opened,
            )
        )
        offences.extend(dict(case_id=cid, category=o) for o in self.case_offences[c])


def _cumulative(values) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


def typical_users(session: Session) -> dict[str, User]:
    """The users the benchmark signs in as: the liaison officer with the median caseload and a
    supervisor of the same office (supervisors see the whole office: the hard case)."""
    loads = session.execute(
        select(Assignment.user_id, func.count())
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.ended_dt.is_(None), User.role == Role.liaison_officer)
        .group_by(Assignment.user_id)
        .order_by(func.count(), Assignment.user_id)
    ).all()
    if not loads:
        return {}
    officer = session.get(User, loads[len(loads) // 2][0])
    users = {"liaison officer": officer}
    supervisor = session.scalar(
        select(User)
        .where(
            User.role == Role.supervisor,
            User.organisation_id == officer.organisation_id,
            User.is_enabled.is_(True),
        )
        .order_by(User.id)
        .limit(1)
    )
    if supervisor is not None:
        users["supervisor"] = supervisor
    return users


def caseloads(session: Session) -> list[int]:
    """Active assignments per liaison officer (for the generator's summary)."""
    return [
        n
        for (n,) in session.execute(
            select(func.count())
            .select_from(Assignment)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.ended_dt.is_(None), User.role == Role.liaison_officer)
            .group_by(Assignment.user_id)
        )
    ]


def summarise_caseloads(loads: list[int]) -> str:
    """One line: how many officers, and their median, smallest and largest caseload."""
    if not loads:
        return "no officers"
    median = statistics.median(loads)
    return f"{len(loads)} officers; caseload median {median:.0f}, from {min(loads)} to {max(loads)}"
