"""The demo builder: the organisations, users, courts and cases here, then the steps of the
other modules (witness files, schedule, support ledger) in order."""

from __future__ import annotations

from datetime import timedelta

from witness.auth.models import Organisation
from witness.auth.services import create_user
from witness.cases.models import Case, CaseStatus, Court, CustodyStatus, OffenceCategory
from witness.cases.services import add_defendant, create_case
from witness.demo.outcomes import OutcomeSteps
from witness.demo.protection import ProtectionSteps
from witness.demo.retention import RetentionSteps
from witness.demo.risk import RiskSteps
from witness.demo.roster import (
    CASES,
    COURTS,
    DEFENDANTS,
    EMAIL_DOMAIN,
    ORGANISATIONS,
    TITLE_PREFIX,
    USERS,
    CaseSpec,
)
from witness.demo.schedule import ScheduleSteps
from witness.demo.subject_access import SubjectAccessSteps
from witness.demo.support import SupportSteps
from witness.demo.today import TodaySteps
from witness.demo.vocabulary import CASE_AGE_DAYS, CUSTODY_BY_STATUS
from witness.demo.witnesses import WitnessSteps


class DemoBuilder(
    WitnessSteps,
    ScheduleSteps,
    SupportSteps,
    OutcomeSteps,
    RiskSteps,
    ProtectionSteps,
    RetentionSteps,
    SubjectAccessSteps,
    TodaySteps,
):
    """Builds the demo in order; each method adds one kind of record (the steps of each
    feature are in their own modules)."""

    def build(self) -> list[tuple[str, str, str]]:
        """Add everything; returns the sign-ins."""
        credentials = self.add_users()
        self.add_courts()
        cases = self.add_cases()
        self.add_witnesses(cases)
        self.add_invite_choice()
        self.add_schedule(cases)
        self.add_support(cases)
        self.add_outcomes(cases)
        self.add_risk(cases)
        self.add_protection(cases)
        self.add_subject_requests()
        self.add_today()
        self.add_retention()
        return credentials

    # --- organisations, users, courts, cases ---

    def add_users(self) -> list[tuple[str, str, str]]:
        """Create the organisations and one user per role (two officers, two NGO workers)."""
        for name, kind in ORGANISATIONS:
            self.orgs[name] = Organisation(name=name, kind=kind)
            self.session.add(self.orgs[name])
        credentials = []
        for spec in USERS:
            email = f"{spec.key}@{EMAIL_DOMAIN}"
            self.users[spec.key] = create_user(
                self.session,
                email=email,
                name=spec.name,
                password=spec.password,
                role=spec.role,
                organisation=self.orgs[spec.organisation],
            )
            credentials.append((spec.label, email, spec.password))
        return credentials

    def add_courts(self) -> None:
        """The three courts, each in its own timezone."""
        for key, (name, address, timezone) in COURTS.items():
            country, subdivision = JURISDICTIONS[key]
            self.courts[key] = Court(
                name=name,
                address=address,
                timezone=timezone,
                country=country,
                subdivision=subdivision,
            )
            self.session.add(self.courts[key])
        self.session.flush()

    def add_cases(self) -> list[tuple[CaseSpec, Case]]:
        """Open every case with its defendants, as the supervisor."""
        supervisor = self.users["supervisor"]
        names = {court: self.rng.sample(pool, len(pool)) for court, pool in DEFENDANTS.items()}
        numbers = {court: self.rng.sample(range(100, 1000), len(CASES)) for court in COURTS}
        cases = []
        for spec in CASES:
            status = CaseStatus(spec.status)
            age = self.rng.randint(*CASE_AGE_DAYS[status])
            opened = self.days_ago(age)
            defendants = [names[spec.court].pop() for _ in range(spec.defendants)]
            case = create_case(
                self.session,
                supervisor,
                court_id=self.courts[spec.court].id,
                reference=_case_reference(spec.court, numbers[spec.court].pop(), opened.year),
                title=_case_title(spec.court, [title for _, title in defendants]),
                offences=[OffenceCategory(o) for o in spec.offences],
                status=status,
                lead_prosecutor_id=self.users["prosecutor"].id if spec.has_lead else None,
                notes=spec.summary,
            )
            case.created_dt = opened
            self.case_age[case.id] = age
            for name, _ in defendants:
                self.add_defendant(case, name)
            cases.append((spec, case))
        return cases

    def add_defendant(self, case: Case, name: str) -> None:
        """A defendant whose custody fits the stage of the case."""
        custody = self.rng.choice(CUSTODY_BY_STATUS[case.status])
        release = None
        if custody is CustodyStatus.serving_sentence:
            # The first sentenced defendant is due out soon, so a release letter is in view.
            self.counters["sentenced"] += 1
            soon = self.counters["sentenced"] == 1
            release = self.today + timedelta(days=45 if soon else self.rng.randint(180, 2400))
        elif custody is CustodyStatus.released:
            release = self.today - timedelta(days=self.rng.randint(20, 200))
        add_defendant(self.session, self.users["supervisor"], case, name, custody, release)


#: each court's country and region, for the public holidays its deadlines skip
JURISDICTIONS = {"london": ("GB", "ENG"), "bangkok": ("TH", ""), "sydney": ("AU", "NSW")}


def _case_reference(court: str, number: int, year: int) -> str:
    """Each court's own style: London T2026-0412, Bangkok (Buddhist era) and Sydney."""
    if court == "bangkok":
        return f"Or.{number}/{year + 543}"
    if court == "sydney":
        return f"{year}/00{number:06d}"
    return f"T{year}-{number:04d}"


def _case_title(court: str, names: list[str]) -> str:
    """ "R v Kerr", "R v Kerr and Hollis", "R v Kerr and others"."""
    others = {1: "", 2: f" and {names[-1]}"}.get(len(names), " and others")
    return f"{TITLE_PREFIX[court]} {names[0]}{others}"
