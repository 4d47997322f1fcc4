"""Synthetic national-scale data for the benchmark and the load test (issues 3, 4 and 5).

Rows are planned in Python with explicit ids and written by the driver (executemany on SQLite,
COPY on PostgreSQL), one transaction per chunk, in a background thread while the next chunk is
planned: the national default (6.3 million rows, a million of them appointments) loads in about
five minutes. Values follow the demo's vocabulary (``witness.demo``): the same phase paths by
case status, reasons, notes and names. No audit events are written: the data stands for years
of past work. Hearings, rooms, interpreters, appointments and special measures come from
``witness.bench.schedule``; the support ledger (2 million entries with valid hash chains, one
case of 10,000 for the disclosure report) from ``witness.bench.ledger``.
"""

from __future__ import annotations

import enum
import random
import statistics
import time
from array import array
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, Enum, func, insert, inspect, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import (
    Case,
    CaseOffence,
    CaseStatus,
    Court,
    CustodyStatus,
    Defendant,
    Hearing,
    HearingChange,
    OffenceCategory,
)
from witness.core.time import now_utc
from witness.db import UTCDateTime
from witness.demo.vocabulary import (
    CASE_AGE_DAYS,
    CHILD_NEED_NOTES,
    CUSTODY_BY_STATUS,
    JOIN_REASONS,
    LANGUAGE_NAMES,
    MOSTLY_WOMEN,
    MOVE_REASONS,
    NATIONALITIES,
    NEED_NOTES,
    PARTICIPATE_NOTES,
    REFLECTION_DAYS,
    SHARE_NOTE,
    STATUS_PATHS,
    WITHDRAW_PARTICIPATION_NOTE,
    WITHDRAW_SHARE_NOTE,
    WITHDRAWN_PATH,
    WITHDRAWN_REASON,
)
from witness.ledger.models import SupportApproval, SupportItem
from witness.people.models import (
    Assignment,
    Channel,
    Consent,
    ConsentKind,
    NeedArea,
    NeedsAssessment,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.scheduling.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStaff,
    Interpreter,
    Resource,
    SpecialMeasure,
)

#: every generated court is in England
COURT_TIMEZONE = "Europe/London"
#: every generated user signs in with this password (benchmark data only)
BENCH_PASSWORD = "scale-bench-2026"
EMAIL_DOMAIN = "scale.example"

REGIONS = (
    "North East", "North West", "Yorkshire", "Midlands", "East", "London", "South East",
    "South West", "Wales", "Thames Valley", "Mersey", "Cumbria",
)  # fmt: skip

TOWNS = (
    "Ashford", "Barnstaple", "Bolton", "Bradford", "Bristol", "Cambridge", "Canterbury",
    "Carlisle", "Chelmsford", "Chester", "Derby", "Doncaster", "Durham", "Exeter", "Gloucester",
    "Grimsby", "Guildford", "Hull", "Ipswich", "Lancaster", "Leeds", "Leicester", "Lincoln",
    "Liverpool", "Luton", "Maidstone", "Manchester", "Newcastle", "Northampton", "Norwich",
    "Nottingham", "Oxford", "Peterborough", "Plymouth", "Preston", "Reading", "Sheffield",
    "Southampton", "Stoke", "Swansea", "Truro", "Winchester", "Wolverhampton", "York",
)  # fmt: skip

NGO_NAMES = (
    "Harbour Light", "Open Door", "Lighthouse", "New Horizons", "Safe Passage", "Hope Street",
    "Bridgeway", "Anchor", "Haven", "Compass",
)  # fmt: skip
#: an NGO's kind decides what it does: shelters and counselling take most referrals,
#: legal advice centres the forced-labour victims
NGO_KINDS = ("Shelter", "Counselling Service", "Legal Advice Centre")
COURT_SERVICE = "National Court Witness Service"

STAFF_GIVEN = (
    "Amira", "Ben", "Claire", "Daniel", "Eleni", "Farid", "Grace", "Hannah", "Imran", "Jo",
    "Karen", "Liam", "Maya", "Nadia", "Owen", "Priya", "Rachel", "Sam", "Tom", "Uma", "Victor",
    "Wendy", "Yusuf", "Zoe",
)  # fmt: skip
STAFF_FAMILY = (
    "Ahmed", "Bennett", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Novak", "Owens", "Patel", "Quinn", "Roberts", "Shah",
    "Taylor", "Walsh", "Young",
)  # fmt: skip

CASE_STATUS_WEIGHTS = {
    CaseStatus.investigation: 18,
    CaseStatus.charged: 32,
    CaseStatus.trial: 12,
    CaseStatus.sentenced: 14,
    CaseStatus.appeal: 6,
    CaseStatus.closed: 18,
}
OFFENCE_WEIGHTS = {
    OffenceCategory.trafficking_sexual_exploitation: 22,
    OffenceCategory.trafficking_forced_labour: 18,
    OffenceCategory.trafficking_domestic_servitude: 7,
    OffenceCategory.trafficking_organ_removal: 1,
    OffenceCategory.child_trafficking: 7,
    OffenceCategory.people_smuggling: 8,
    OffenceCategory.sexual_offence: 14,
    OffenceCategory.violence: 12,
    OffenceCategory.domestic_abuse: 8,
    OffenceCategory.other: 3,
}
#: the demo's roster letters: adult victim, child, presumed child, still deciding in
#: reflection, withdrew from the proceedings, bystander witness
KIND_WEIGHTS = {"a": 62, "c": 8, "p": 2, "l": 5, "x": 4, "w": 19}
VICTIM_NATIONALITIES = [n for n in NATIONALITIES if n not in ("British", "Australian")]
#: tables with an integer ``id`` written here (their sequences are reset on PostgreSQL)
ID_TABLES = (
    Organisation, Court, User, Case, Defendant, Witness, Participation, PhaseTransition,
    Consent, Assignment, NeedsAssessment, Resource, Interpreter, Hearing, HearingChange,
    Appointment, AppointmentSlot, SpecialMeasure, SupportItem, SupportApproval,
)  # fmt: skip
PHASES = list(Phase)
NEED_AREAS = list(NeedArea)
REQUIRED_TABLES = [m.__tablename__ for m in ID_TABLES] + [
    CaseOffence.__tablename__,
    AppointmentStaff.__tablename__,
]


class _Background:
    """Runs the writes and commits of the generator in one thread, in order, while the
    caller plans the next chunk: the database works while Python plans (SQLite and the
    PostgreSQL server do not hold Python's lock). At most one chunk waits to be written.

    The session is used by one thread at a time: by this thread from the first write until
    ``wait`` returns, the caller not touching it meanwhile.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generate-data")
        self.error: BaseException | None = None
        self.previous: Future | None = None
        self.last: Future | None = None

    def _run(self, fn: Callable, args: tuple) -> None:
        if self.error is None:  # after a failure, nothing more is written or committed
            try:
                fn(*args)
            except BaseException as exc:
                self.error = exc

    def submit(self, fn: Callable, *args) -> None:
        self.last = self.executor.submit(self._run, fn, args)

    def commit(self, session: Session) -> None:
        """Commit what was submitted so far, after waiting for the chunk before it."""
        if self.previous is not None:
            self.previous.result()
            self._raise()
        self.submit(session.commit)
        self.previous = self.last

    def wait(self) -> None:
        """Until everything submitted is done; raises what failed."""
        if self.last is not None:
            self.last.result()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class SchemaMissing(Exception):
    """The database has no Witness schema yet."""


class NotEmpty(Exception):
    """The database already holds witnesses."""


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
    seed: int = 2026
    chunk: int = 5_000


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
    scale: Scale = Scale(),
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
        generator.background.close()
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


class _Generator:
    """Plans and writes the rows; one method per kind of record."""

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
        self._statements: dict = {}
        self._datetimes: dict = {}
        self.background = _Background()
        self.suffix, self.domain = self._free_names()

    # --- plumbing ---

    def new_id(self, model) -> int:
        self.next_id[model.__tablename__] += 1
        return self.next_id[model.__tablename__]

    def write(self, model, rows: list[dict]) -> None:
        """Insert ``rows`` (dicts with the same keys) into the model's table."""
        if rows:
            keys = tuple(rows[0])
            convert = self.converter(model, keys)
            self.write_converted(model, keys, [convert(row) for row in rows])

    def converter(self, model, keys: tuple[str, ...]) -> Callable[[dict], object]:
        """A function from a row (a dict with ``keys``) to what ``write_converted`` takes.

        SQLAlchemy's per-row parameter handling costs more than the database's own work, so
        each value is converted as its column's type would (the values an ORM insert would
        store) and plain lists go to the driver. Converted rows are also smaller to buffer.
        """
        if self.session.get_bind().dialect.name in ("sqlite", "postgresql"):
            return self._converter(model.__table__, keys)[2]
        return dict

    def commit(self) -> None:
        """End a chunk: commit it once its rows are written (in the background)."""
        self.background.commit(self.session)

    def write_converted(self, model, keys: tuple[str, ...], values: list) -> None:
        """Insert rows converted by ``converter(model, keys)`` (in the background):
        executemany on SQLite, COPY on PostgreSQL, an ORM-less executemany elsewhere."""
        if values:
            self.background.submit(self._insert, model, keys, values)
            self.result.counts[model.__tablename__] += len(values)

    def _insert(self, model, keys: tuple[str, ...], values: list) -> None:
        table = model.__table__
        connection = self.session.connection()
        dialect = connection.dialect.name
        if dialect in ("sqlite", "postgresql"):
            statement, columns, _ = self._converter(table, keys)
            # The driver's own cursor, inside the transaction SQLAlchemy began.
            cursor = connection.connection.driver_connection.cursor()
            if dialect == "sqlite":
                cursor.executemany(statement, values)
            else:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            cursor.close()
        else:
            connection.execute(insert(table), values)

    def _converter(self, table, keys: tuple[str, ...]):
        """The INSERT statement, its columns and a function from a row to driver values."""
        cached = self._statements.get((table.name, keys))
        if cached is None:
            dialect = self.session.get_bind().dialect
            # Columns the rows leave out but that have a default in the model (added by a
            # later issue) take that default.
            fixed = []
            for column in table.columns:
                if column.key in keys or column.default is None:
                    continue
                default = column.default
                if not (default.is_scalar or default.is_callable):
                    raise ValueError(f"{table.name}.{column.key} needs a value")
                value = default.arg if default.is_scalar else default.arg(None)
                processor = _processor(column, dialect, self._datetimes)
                fixed.append((column.name, processor(value) if processor else value))
            convert = self._compile(table, keys, dialect, tuple(value for _, value in fixed))
            columns = [table.c[key].name for key in keys] + [name for name, _ in fixed]
            statement = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            cached = (statement, columns, convert)
            self._statements[(table.name, keys)] = cached
        return cached

    def _compile(self, table, keys: tuple[str, ...], dialect, fixed: tuple) -> Callable:
        """One expression from a row to its values, compiled once per table and keys, as
        dataclasses and namedtuple do: a loop over columns per row costs twice as much."""
        env: dict = {"fixed": fixed, "cache": self._datetimes}
        parts = []
        for i, key in enumerate(keys):
            column = table.c[key]
            processor = _processor(column, dialect, self._datetimes)
            value = f"row[{key!r}]"
            if processor is None:
                parts.append(value)
            elif processor is _enum_value and not column.nullable:
                parts.append(f"{value}.value")
            elif getattr(processor, "cache", None) is self._datetimes:
                env[f"p{i}"] = processor
                parts.append(f"(cache.get(v{i} := {value}) or p{i}(v{i}))")
            else:
                env[f"p{i}"] = processor
                parts.append(f"p{i}({value})")
        return eval(f"lambda row: ({', '.join(parts)},) + fixed", env)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days, minutes=self.rng.randint(0, 480))

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return end
        return start + (end - start) * self.rng.uniform(0.1, 0.9)

    def person(self) -> str:
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

    # --- the plan ---

    def run(self) -> Generated:
        from witness.bench.ledger import LedgerGenerator
        from witness.bench.schedule import ScheduleGenerator

        self.plan_cases()
        self.plan_witnesses()
        self.add_organisations_and_courts()
        self.add_users()
        self.commit()
        self.add_cases()
        schedule = ScheduleGenerator(self)
        self.timeline = schedule.timeline
        schedule.add_resources_and_interpreters()
        schedule.add_hearings()
        self.add_witnesses()
        schedule.add_appointments()
        self.background.wait()
        self.result.unplaced_appointments = schedule.unplaced
        started = time.perf_counter()
        self.result.disclosure_case_id = LedgerGenerator(self, schedule).add_ledger()
        self.background.wait()
        self.result.ledger_seconds = time.perf_counter() - started
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
            name = f"{base}{f' {rounds + 1}' if rounds else ''}{self.suffix}"
            orgs.append(dict(id=oid, name=name, kind=OrganisationKind.ngo))
            self.ngos.append(
                dict(id=oid, kind=kind, office=i % s.offices, slug=_slug(base), name=name)
            )
        orgs.append(
            dict(
                id=self.new_id(Organisation),
                name=COURT_SERVICE + self.suffix,
                kind=OrganisationKind.court_service,
            )
        )
        self.write(Organisation, orgs)
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
        self.write(Court, courts)

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
        self.write(User, rows)
        for row in rows:
            signs.setdefault(row["role"], []).append(row["email"])
        for role in Role:
            for email in signs.get(role, [])[:3]:
                self.result.sign_ins.append((role.label, email, BENCH_PASSWORD))

    # --- cases ---

    def add_cases(self) -> None:
        s = self.scale
        self.case_ids = array("I", bytes(4 * s.cases))
        self.case_lead = array("I", bytes(4 * s.cases))
        for start in range(0, s.cases, s.chunk):
            cases, offences, defendants = [], [], []
            for c in range(start, min(start + s.chunk, s.cases)):
                self.plan_case(c, cases, offences, defendants)
            self.write(Case, cases)
            self.write(CaseOffence, offences)
            self.write(Defendant, defendants)
            self.commit()
            self.progress(len(cases))

    def plan_case(self, c: int, cases: list, offences: list, defendants: list) -> None:
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

    # --- witnesses ---

    def add_witnesses(self) -> None:
        s = self.scale
        # What planning appointments needs about each witness, kept compact.
        self.first_witness_id = self.next_id[Witness.__tablename__] + 1
        self.w_officer = array("I", bytes(4 * s.witnesses))
        self.w_kind = bytearray(s.witnesses)
        self.w_joined = array("H", bytes(2 * s.witnesses))
        #: index into language_codes of the language an interpreter is needed for; 255: none
        self.w_lang = bytearray(b"\xff") * s.witnesses
        self.w_workers: dict[int, tuple[int, ...]] = {}
        # For the ledger (``witness.bench.ledger``), compactly: each participation's witness
        # and phase history (timestamps and phases), linked per case from its latest; each
        # witness's needs assessments (ids and areas) from ``need_start[i]``.
        self.case_last_part = array("i", [-1]) * s.cases
        self.p_witness, self.p_before, self.p_history = array("I"), array("i"), array("I")
        self.history_ts, self.history_phase = array("d"), bytearray()
        self.need_start = array("I", bytes(4 * (s.witnesses + 1)))
        self.need_ids, self.need_areas = array("I"), bytearray()
        for start in range(0, s.witnesses, s.chunk):
            self.rows: dict[type, list[dict]] = {
                m: []
                for m in (
                    Witness,
                    Participation,
                    PhaseTransition,
                    Consent,
                    Assignment,
                    NeedsAssessment,
                )
            }
            end = min(start + s.chunk, s.witnesses)
            for i in range(start, end):
                self.plan_witness(i)
            for model, rows in self.rows.items():
                self.write(model, rows)
            self.commit()
            self.progress(end - start)

    def plan_witness(self, i: int) -> None:
        rng = self.rng
        c = self.witness_case[i]
        office = self.case_office(c)
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        officers = self.officers[office]
        officer = rng.choices(officers, cum_weights=self.officer_weights[office])[0]
        wid = self.new_id(Witness)
        offences = self.case_offences[c]
        label = "British" if kind == "w" else rng.choice(VICTIM_NATIONALITIES)
        nat = NATIONALITIES[label]
        gender = _gender(rng, offences, kind)
        given = rng.choice(nat.female if gender == "Female" else nat.male)
        family = rng.choice(nat.family)
        is_child = kind in "cp"
        witness = dict(
            id=wid,
            organisation_id=self.offices[office]["id"],
            reference=f"VW-{wid:06d}",
            legal_name=f"{family} {given}" if nat.family_first else f"{given} {family}",
            date_of_birth=self.birth_date(kind),
            phone=f"07700 9{rng.randint(0, 99999):05d}" if rng.random() < 0.8 else None,
            email=(
                f"{given.split()[0].lower()}{rng.randint(10, 9999)}@example.org"
                if not is_child and rng.random() < 0.6
                else None
            ),
            address=(
                f"{rng.randint(1, 199)} Example Street, Sample Town"
                if rng.random() < 0.85
                else None
            ),
            guardian_name=None,
            guardian_contact=None,
            gender=gender,
            nationality=label,
            languages=list(nat.languages),
            needs_interpreter=nat.needs_interpreter,
            is_presumed_child=kind == "p",
        )
        if is_child and (kind == "p" or rng.random() < 0.75):
            witness["guardian_name"] = f"{self.person()} (independent child trafficking guardian)"
            witness["guardian_contact"] = f"07700 9{rng.randint(0, 99999):05d}"
        role = ParticipationRole.witness if kind == "w" else ParticipationRole.victim_witness
        joined, transitions = self.join_case(wid, officer, c, role, kind)
        self.keep_participation(i, c, transitions)
        witness["created_dt"] = witness["updated_dt"] = joined - timedelta(hours=1)
        self.rows[Witness].append(witness)
        participates = self.consent_to_participate(wid, officer, c, kind, transitions)
        workers = self.consent_to_share(wid, officer, office, offences, kind, joined)
        if participates:
            self.consent_to_notify(wid, officer, witness, joined, workers)
        self.assign(wid, officer, office, joined, workers)
        self.remember(i, kind, officer, witness, joined, workers)
        if rng.random() < 0.7:
            needs = self.rows[NeedsAssessment]
            before = len(needs)
            self.assess_needs(wid, officer, witness, kind, offences, joined, workers)
            if self.scale.ledger_entries:
                for need in needs[before:]:
                    self.need_ids.append(need["id"])
                    self.need_areas.append(NEED_AREAS.index(need["area"]))
        self.need_start[i + 1] = len(self.need_ids)
        # Some victims also give evidence in a second case at the same court.
        if kind == "a" and rng.random() < 0.06:
            others = self.cases_by_court[self.case_court[c]]
            other = rng.choice(others)
            if other != c:
                _, more = self.join_case(wid, officer, other, ParticipationRole.witness, "w")
                self.keep_participation(i, other, more)
                self.consent_to_participate(wid, officer, other, "w", more)

    def keep_participation(self, i: int, c: int, transitions: list[dict]) -> None:
        if not self.scale.ledger_entries:
            return
        k = len(self.p_witness)
        self.p_witness.append(i)
        self.p_before.append(self.case_last_part[c])
        self.case_last_part[c] = k
        self.p_history.append(len(self.history_ts))
        for t in transitions:
            self.history_ts.append(t["transition_dt"].timestamp())
            self.history_phase.append(PHASES.index(t["to_phase"]))

    def case_participations(self, c: int) -> list[tuple]:
        """The ledger's view of case ``c``'s participations: (witness index, witness id,
        officer, office, joined, ended, (timestamp, phase, ...)), as timestamps; ended is when
        the participation closed, else now."""
        parts = []
        now = self.now.timestamp()
        office = self.case_office(c)
        k = self.case_last_part[c]
        while k >= 0:
            lo = self.p_history[k]
            hi = self.p_history[k + 1] if k + 1 < len(self.p_history) else len(self.history_ts)
            history: list = []
            for j in range(lo, hi):
                history += (self.history_ts[j], PHASES[self.history_phase[j]])
            ended = history[-2] if history[-1] is Phase.closed else now
            i = self.p_witness[k]
            wid = self.first_witness_id + i
            parts.append((i, wid, self.w_officer[i], office, history[0], ended, tuple(history)))
            k = self.p_before[k]
        parts.reverse()
        return parts

    def witness_needs(self, i: int) -> list[tuple[int, NeedArea]]:
        """Witness ``i``'s needs assessments as (id, area)."""
        return [
            (self.need_ids[j], NEED_AREAS[self.need_areas[j]])
            for j in range(self.need_start[i], self.need_start[i + 1])
        ]

    def remember(
        self, i: int, kind: str, officer: int, witness: dict, joined: datetime, workers: list
    ) -> None:
        self.w_officer[i] = officer
        self.w_kind[i] = ord(kind)
        self.w_joined[i] = max(0, (joined.date() - self.timeline.base).days)
        if witness["needs_interpreter"]:
            self.w_lang[i] = self.language_codes.index(witness["languages"][0])
        if workers:
            self.w_workers[i] = tuple(sorted({worker for worker, _ in workers}))

    def birth_date(self, kind: str) -> date | None:
        if kind == "p":
            return None
        years = self.rng.uniform(13.2, 17.8) if kind == "c" else self.rng.uniform(19, 62)
        return self.today - timedelta(days=int(years * 365.25))

    def join_case(
        self, wid: int, officer: int, c: int, role: ParticipationRole, kind: str
    ) -> tuple[datetime, list[dict]]:
        """Participation and its phase history: the path the case's status implies."""
        rng = self.rng
        status = self.statuses[self.case_status[c]]
        path = [] if kind == "l" else WITHDRAWN_PATH if kind == "x" else STATUS_PATHS[status]
        trafficking = any(o.is_trafficking for o in self.case_offences[c])
        reflects = role is ParticipationRole.victim_witness and trafficking
        age = self.case_age[c]
        if path or not reflects:
            joined_days = max(age - rng.randint(10, 45), 5)
            period = rng.choice(REFLECTION_DAYS) if reflects else 14
        else:
            # Still reflecting: most periods end in the coming weeks, a few have just ended.
            days_left = rng.randint(-6, 75)
            period = rng.choice([d for d in REFLECTION_DAYS if d > days_left + 5])
            joined_days = period - days_left
        joined = self.days_ago(joined_days)
        pid = self.new_id(Participation)
        self.rows[Participation].append(
            dict(
                id=pid,
                witness_id=wid,
                case_id=self.case_ids[c],
                role=role,
                phase=path[-1] if path else Phase.reflection,
                reflection_end_date=(
                    self.today + timedelta(days=period - joined_days) if reflects else None
                ),
                created_dt=joined,
            )
        )
        transitions = [
            dict(
                id=self.new_id(PhaseTransition),
                participation_id=pid,
                from_phase=None,
                to_phase=Phase.reflection,
                transition_dt=joined,
                actor_id=officer,
                reason=rng.choice(JOIN_REASONS[role]),
            )
        ]
        end = self.now - timedelta(days=2)
        start = min(joined + timedelta(days=period), end - timedelta(days=len(path) + 1))
        step = (end - start) / max(len(path), 1)
        previous = Phase.reflection
        for k, phase in enumerate(path):
            withdrawn = kind == "x" and phase is Phase.closed
            transitions.append(
                dict(
                    id=self.new_id(PhaseTransition),
                    participation_id=pid,
                    from_phase=previous,
                    to_phase=phase,
                    transition_dt=start + step * k,
                    actor_id=officer,
                    reason=WITHDRAWN_REASON if withdrawn else rng.choice(MOVE_REASONS[phase]),
                )
            )
            previous = phase
        self.rows[PhaseTransition].extend(transitions)
        return joined, transitions

    def consent(self, wid: int, officer: int, kind: ConsentKind, when: datetime, **kw) -> dict:
        row = dict(
            id=self.new_id(Consent),
            witness_id=wid,
            kind=kind,
            case_id=None,
            organisation_id=None,
            includes_identity=False,
            channel=None,
            is_granted=True,
            is_current=True,
            recorded_dt=when,
            recorded_by_id=officer,
            notes="",
        )
        row.update(kw)
        self.rows[Consent].append(row)
        return row

    def consent_to_participate(
        self, wid: int, officer: int, c: int, kind: str, transitions: list[dict]
    ) -> bool:
        """Decided at the end of reflection; some still reflecting have not decided yet."""
        rng = self.rng
        case_id = self.case_ids[c]
        if len(transitions) == 1:
            if kind == "l" or rng.random() < 0.7:
                return False
            when = self.between(transitions[0]["transition_dt"], self.now)
        else:
            when = transitions[1]["transition_dt"] - timedelta(hours=2)
        granted = self.consent(
            wid,
            officer,
            ConsentKind.participate,
            when,
            case_id=case_id,
            notes=rng.choice(PARTICIPATE_NOTES),
        )
        if kind == "x":
            granted["is_current"] = False
            self.consent(
                wid,
                officer,
                ConsentKind.participate,
                transitions[-1]["transition_dt"] - timedelta(hours=2),
                case_id=case_id,
                is_granted=False,
                notes=WITHDRAW_PARTICIPATION_NOTE,
            )
            return False
        return True

    def consent_to_share(
        self, wid: int, officer: int, office: int, offences, kind: str, since: datetime
    ) -> list[tuple[int, datetime]]:
        """About a third share their file with a regional NGO (children most often), half of
        them with their identity; a few later withdraw. Returns (NGO worker, since) pairs."""
        if kind == "w":
            return []
        rng = self.rng
        trafficking = any(o.is_trafficking for o in offences)
        chance = 0.85 if kind in "cp" else 0.45 if trafficking else 0.15
        region = self.region_ngos[office]
        workers, chosen = [], set()
        if rng.random() < chance:
            support = [n for n in region if n["kind"] != "Legal Advice Centre"] or region
            ngo = rng.choice(support)
            chosen.add(ngo["id"])
            workers += self.share(wid, officer, ngo, since)
        labour = OffenceCategory.trafficking_forced_labour in offences
        if labour and rng.random() < 0.4:
            legal = [n for n in region if n["kind"] == "Legal Advice Centre"] or region
            ngo = rng.choice(legal)
            if ngo["id"] not in chosen:  # one decision per organisation
                workers += self.share(wid, officer, ngo, since)
        return workers

    def share(self, wid: int, officer: int, ngo: dict, since: datetime) -> list:
        rng = self.rng
        when = self.between(since, self.now)
        identity = rng.random() < 0.5
        granted = self.consent(
            wid,
            officer,
            ConsentKind.share,
            when,
            organisation_id=ngo["id"],
            includes_identity=identity,
            notes=SHARE_NOTE,
        )
        if rng.random() < 0.05:
            granted["is_current"] = False
            self.consent(
                wid,
                officer,
                ConsentKind.share,
                self.between(when, self.now),
                organisation_id=ngo["id"],
                is_granted=False,
                notes=WITHDRAW_SHARE_NOTE,
            )
            return []
        if rng.random() < 2 / 3:
            return [(rng.choice(ngo["workers"]), when)]
        return []

    def consent_to_notify(
        self, wid: int, officer: int, witness: dict, since: datetime, workers: list
    ) -> None:
        rng = self.rng
        channels = []
        if witness["email"] and rng.random() < 0.7:
            channels.append(Channel.email)
        if witness["address"] and rng.random() < 0.5:
            channels.append(Channel.post)
        if workers and rng.random() < 0.7:
            channels.append(Channel.via_ngo)
        for channel in channels or [Channel.post if witness["address"] else Channel.phone]:
            self.consent(
                wid, officer, ConsentKind.notify, self.between(since, self.now), channel=channel
            )

    def assign(self, wid: int, officer: int, office: int, joined: datetime, workers: list) -> None:
        """The current officer; one file in eight changed officer once; NGO workers."""
        rng = self.rng
        rows = self.rows[Assignment]
        since = joined
        supervisor = self.supervisors[office][0]
        officers = self.officers[office]
        if len(officers) > 1 and rng.random() < 0.125:
            before = rng.choice([o for o in officers if o != officer])
            since = self.between(joined, self.now)
            rows.append(
                dict(
                    id=self.new_id(Assignment),
                    witness_id=wid,
                    user_id=before,
                    assigned_dt=joined,
                    assigned_by_id=supervisor,
                    ended_dt=since,
                )
            )
        rows.append(
            dict(
                id=self.new_id(Assignment),
                witness_id=wid,
                user_id=officer,
                assigned_dt=since,
                assigned_by_id=supervisor if since is not joined else officer,
                ended_dt=None,
            )
        )
        for worker, shared in workers:
            rows.append(
                dict(
                    id=self.new_id(Assignment),
                    witness_id=wid,
                    user_id=worker,
                    assigned_dt=self.between(shared, self.now),
                    assigned_by_id=officer,
                    ended_dt=None,
                )
            )

    def assess_needs(
        self,
        wid: int,
        officer: int,
        witness: dict,
        kind: str,
        offences,
        joined: datetime,
        workers: list,
    ) -> None:
        """One or two needs; a fifth due within a fortnight, a few overdue, some met."""
        rng = self.rng
        trafficking = any(o.is_trafficking for o in offences)
        areas = [NeedArea.transport, NeedArea.disability_medical]
        if witness["needs_interpreter"]:
            areas.append(NeedArea.language)
        if kind != "w":
            areas.append(NeedArea.intimidation)
        if kind in "cp" or (kind != "w" and trafficking):
            areas.append(NeedArea.other)
        if kind not in "cpw" and witness["gender"] == "Female":
            areas.append(NeedArea.childcare)
        for area in rng.sample(areas, rng.choice((1, 1, 2))):
            if area is NeedArea.other and kind in "cp":
                notes = rng.choice(CHILD_NEED_NOTES)
            else:
                language = LANGUAGE_NAMES[witness["languages"][0]]
                notes = rng.choice(NEED_NOTES[area]).format(language=language)
            roll = rng.random()
            days = (
                rng.randint(1, 14)
                if roll < 0.2
                else -rng.randint(2, 12)
                if roll < 0.26
                else rng.randint(15, 120)
            )
            recorder = workers[0][0] if workers and rng.random() < 0.4 else officer
            self.rows[NeedsAssessment].append(
                dict(
                    id=self.new_id(NeedsAssessment),
                    witness_id=wid,
                    area=area,
                    notes=notes,
                    review_date=self.today + timedelta(days=days),
                    is_open=rng.random() < 0.85,
                    recorded_dt=self.between(joined, self.now),
                    recorded_by_id=recorder,
                )
            )


def _utc_text(value: datetime | None) -> str | None:
    """What ``UTCDateTime`` stores on SQLite (naive UTC text with microseconds), quickly."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _cached(convert: Callable, cache: dict) -> Callable:
    """``convert`` remembering its results: generated times repeat (slots of one appointment
    share them, and they fall on a quarter-hour grid)."""

    def cached(value):
        found = cache.get(value)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[value] = convert(value)
        return found

    cached.cache = cache
    return cached


def _enum_value(value: enum.Enum | None) -> str | None:
    return None if value is None else value.value


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _processor(column, dialect, cache: dict) -> Callable | None:
    """A bind processor for ``column``: the type's own, or a faster one that gives the same
    values for the types that fill most generated rows (UTC datetimes, enums, dates)."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        # The generated datetimes are aware; PostgreSQL's driver takes them as they are.
        return _cached(_utc_text, cache) if dialect.name == "sqlite" else None
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return _enum_value
    if isinstance(kind, Date) and not isinstance(kind, DateTime) and dialect.name == "sqlite":
        return _date_text
    return kind.dialect_impl(dialect).bind_processor(dialect)


def _gender(rng: random.Random, offences, kind: str) -> str:
    """Mostly women in sexual exploitation and servitude cases, men in forced labour."""
    values = {o.value for o in offences}
    share = 0.5
    if kind != "w" and values & MOSTLY_WOMEN:
        share = 0.9
    elif kind != "w" and "trafficking_forced_labour" in values:
        share = 0.2
    return "Female" if rng.random() < share else "Male"


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
    if not loads:
        return "no officers"
    median = statistics.median(loads)
    return f"{len(loads)} officers; caseload median {median:.0f}, from {min(loads)} to {max(loads)}"
