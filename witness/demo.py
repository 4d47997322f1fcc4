"""Demo data: three courts, twenty cases, sixty witnesses and a sign-in for every role.

Everything goes through the services, so the demo has the audit rows, assignments, consents and
phase history of real use. The dates of that history are then set back so that timelines read
like months of work; audit events keep the moment the demo was loaded. ``random.Random(2026)``
makes every load the same apart from the dates, which count from today.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.services import create_user
from witness.cases.models import (
    Case,
    CaseStatus,
    Court,
    CustodyStatus,
    HearingType,
    OffenceCategory,
)
from witness.cases.services import add_defendant, create_case
from witness.core.access import visible_witnesses
from witness.core.errors import DomainError
from witness.core.time import now_utc
from witness.hearings.services import create_hearing
from witness.ledger.models import SupportCategory
from witness.ledger.services import approve_item, record_item, reverse_item
from witness.notify.models import OutboundEmail
from witness.people.invite_detail import set_invite_detail
from witness.people.models import (
    Channel,
    Consent,
    ConsentKind,
    NeedArea,
    NeedsAssessment,
    Participation,
    ParticipationRole,
    Phase,
    Witness,
)
from witness.people.services import active_assignments as witness_assignments
from witness.people.services import (
    add_participation,
    assign_staff,
    change_phase,
    create_witness,
    record_consent,
    record_need,
)
from witness.rooms.models import Resource, ResourceKind
from witness.rooms.services import create_resource
from witness.scheduling.models import AppointmentKind
from witness.scheduling.queries import interpreters_of
from witness.scheduling.services import Booking, book_appointment, create_interpreter

SEED = 2026

# --- Organisations and sign-ins -------------------------------------------------------------

OFFICE = "Office of the Public Prosecutor"
SHELTER = "Safe Harbour Shelter"
LEGAL_AID = "Migrant Workers Legal Aid"
COURT_SERVICE = "Court Witness Service"

ORGANISATIONS = [
    (OFFICE, OrganisationKind.prosecution),
    (SHELTER, OrganisationKind.ngo),
    (LEGAL_AID, OrganisationKind.ngo),
    (COURT_SERVICE, OrganisationKind.court_service),
]


class UserSpec(NamedTuple):
    key: str
    label: str
    name: str
    role: Role
    organisation: str
    password: str


# Printed in this order; "liaison" is the officer most witnesses are assigned to.
USERS = [
    UserSpec("admin", "Admin", "Alex Morgan", Role.admin, OFFICE, "demo-admin-2026"),
    UserSpec(
        "supervisor", "Supervisor", "Priya Raman", Role.supervisor, OFFICE, "demo-supervisor-2026"
    ),
    UserSpec(
        "liaison", "Liaison officer", "Sam Whitfield", Role.liaison_officer, OFFICE,
        "demo-liaison-2026",
    ),
    UserSpec(
        "liaison2", "Liaison officer", "Dana Petrescu", Role.liaison_officer, OFFICE,
        "demo-liaison2-2026",
    ),
    UserSpec("ngo", "NGO worker", "Grace Mensah", Role.ngo_worker, SHELTER, "demo-ngo-2026"),
    UserSpec("ngo2", "NGO worker", "Tomas Ortega", Role.ngo_worker, LEGAL_AID, "demo-ngo2-2026"),
    UserSpec(
        "prosecutor", "Prosecutor", "Jonathan Hale", Role.prosecutor, OFFICE,
        "demo-prosecutor-2026",
    ),
]  # fmt: skip

EMAIL_DOMAIN = "witness.example"

# --- Courts and cases -----------------------------------------------------------------------

COURTS = {
    "london": (
        "Thameside Crown Court",
        "27 Thameside Walk, London SE1 9QX, United Kingdom",
        "Europe/London",
    ),
    "bangkok": (
        "Bangkok South Criminal Court",
        "118 Ratchadaphisek Road, Huai Khwang, Bangkok 10310, Thailand",
        "Asia/Bangkok",
    ),
    "sydney": (
        "Harbourside District Court",
        "60 Harbour Terrace, Sydney NSW 2000, Australia",
        "Australia/Sydney",
    ),
}


class CaseSpec(NamedTuple):
    """One demo case.

    ``roster`` has one letter per witness: ``a`` adult victim, ``c`` child victim, ``p`` child
    presumed (no date of birth), ``l`` victim still deciding in reflection, ``x`` victim who
    withdrew from the proceedings, ``w`` bystander witness.
    """

    court: str
    status: str
    offences: tuple[str, ...]
    defendants: int
    roster: str
    nationalities: tuple[str, ...]
    summary: str
    has_lead: bool = True


CASES = [
    CaseSpec(
        "london", "trial", ("trafficking_sexual_exploitation", "sexual_offence"), 2, "aaaaw",
        ("Romanian", "Albanian", "Nigerian"),
        "Women recruited online with offers of hospitality work, then moved between rented "
        "flats in three cities.",
    ),
    CaseSpec(
        "london", "charged", ("trafficking_forced_labour",), 3, "aaxl", ("Romanian",),
        "Men recruited from rural Romania to work unpaid in hand car washes, housed above "
        "the premises.",
    ),
    CaseSpec(
        "london", "charged", ("child_trafficking", "people_smuggling"), 2, "ppcca",
        ("Vietnamese",),
        "Teenagers smuggled overland and kept as 'gardeners' at cannabis grows in rented "
        "houses.",
    ),
    CaseSpec(
        "london", "sentenced", ("trafficking_domestic_servitude",), 1, "aa",
        ("Filipino", "Nigerian"),
        "Domestic workers whose passports were withheld; unpaid for four years.",
    ),
    CaseSpec(
        "london", "investigation", ("trafficking_organ_removal",), 2, "aa", ("Nigerian",),
        "Young men offered work abroad and pressed to 'donate' a kidney to a private patient.",
    ),
    CaseSpec(
        "london", "trial", ("domestic_abuse", "violence"), 1, "aw", ("British",),
        "Coercive control and assault; a neighbour saw the last incident.",
    ),
    CaseSpec(
        "london", "closed", ("violence",), 1, "a", ("British",),
        "Assault outside a night club; the defendant was convicted and sentenced.",
    ),
    CaseSpec(
        "london", "appeal", ("trafficking_forced_labour", "other"), 3, "aaa",
        ("Albanian", "Romanian"),
        "Forced labour on building sites and laundering of the wages; convictions under appeal.",
    ),
    CaseSpec(
        "bangkok", "trial", ("trafficking_sexual_exploitation", "child_trafficking"), 3, "ccca",
        ("Thai", "Cambodian"),
        "Girls recruited in border provinces for karaoke bars in Bangkok.",
    ),
    CaseSpec(
        "bangkok", "charged", ("trafficking_forced_labour",), 3, "aaaal",
        ("Cambodian", "Thai"),
        "Fishermen held on long-haul vessels for up to three years without wages or shore "
        "leave.",
    ),
    CaseSpec(
        "bangkok", "investigation", ("people_smuggling",), 1, "aaa", ("Vietnamese", "Cambodian"),
        "Migrants moved across the border hidden in lorries for large fees.",
        has_lead=False,
    ),
    CaseSpec(
        "bangkok", "charged", ("trafficking_domestic_servitude",), 1, "ca",
        ("Cambodian", "Thai"),
        "A 15-year-old housemaid kept in her employer's home and never allowed out.",
    ),
    CaseSpec(
        "bangkok", "sentenced", ("trafficking_sexual_exploitation",), 2, "aaa",
        ("Thai", "Vietnamese"),
        "Women deceived with offers of spa work, then held in debt bondage.",
    ),
    CaseSpec(
        "bangkok", "closed", ("sexual_offence",), 1, "a", ("Thai",),
        "Sexual assault by an employer; the defendant was convicted.",
    ),
    CaseSpec(
        "sydney", "trial", ("trafficking_forced_labour",), 2, "aaaaw",
        ("Indonesian", "Filipino", "Vietnamese"),
        "Fruit pickers charged inflated rent and transport fees, paid a fraction of the award.",
    ),
    CaseSpec(
        "sydney", "investigation", ("trafficking_sexual_exploitation",), 2, "aaa",
        ("Thai", "Vietnamese"),
        "Women on student visas held in brothels under a 'contract debt'.",
        has_lead=False,
    ),
    CaseSpec(
        "sydney", "sentenced", ("trafficking_domestic_servitude", "domestic_abuse"), 1, "aw",
        ("Indonesian", "Filipino"),
        "A woman brought in on a spouse visa and kept as an unpaid servant.",
    ),
    CaseSpec(
        "sydney", "investigation", ("child_trafficking",), 1, "cc", ("Filipino",),
        "Two teenage siblings brought in on visitor visas and made to work in a restaurant.",
    ),
    CaseSpec(
        "sydney", "charged", ("violence",), 2, "awl", ("Indonesian", "Filipino"),
        "Assault on a labour-hire worker who complained about his pay.",
    ),
    CaseSpec(
        "sydney", "charged", ("people_smuggling", "other"), 2, "aaa",
        ("Indonesian", "Vietnamese"),
        "Forged identity documents sold to migrants arriving by boat.",
    ),
]  # fmt: skip

#: how long ago (in days) a case of each status was opened
CASE_AGE_DAYS = {
    CaseStatus.investigation: (95, 130),
    CaseStatus.charged: (160, 280),
    CaseStatus.trial: (300, 450),
    CaseStatus.sentenced: (480, 700),
    CaseStatus.appeal: (560, 800),
    CaseStatus.closed: (650, 900),
}

CUSTODY_BY_STATUS = {
    CaseStatus.investigation: (CustodyStatus.at_large, CustodyStatus.on_bail),
    CaseStatus.charged: (CustodyStatus.remanded, CustodyStatus.on_bail),
    CaseStatus.trial: (CustodyStatus.remanded, CustodyStatus.on_bail),
    CaseStatus.sentenced: (CustodyStatus.serving_sentence,),
    CaseStatus.appeal: (CustodyStatus.serving_sentence, CustodyStatus.on_bail),
    CaseStatus.closed: (CustodyStatus.serving_sentence, CustodyStatus.released),
}

#: (full name, name used in the case title)
DEFENDANTS = {
    "london": [
        ("Marius Dumitru", "Dumitru"), ("Florin Constantin", "Constantin"),
        ("Sorin Popa", "Popa"), ("Arben Hoxha", "Hoxha"), ("Ilir Berisha", "Berisha"),
        ("Gezim Kola", "Kola"), ("Tran Van Long", "Tran"), ("Nguyen Duc Anh", "Nguyen"),
        ("Gary Whitcombe", "Whitcombe"), ("Kevin Ashdown", "Ashdown"), ("Lee Baxter", "Baxter"),
        ("Olumide Bakare", "Bakare"), ("Dean Harker", "Harker"), ("Stefan Marin", "Marin"),
        ("Paul Redfern", "Redfern"), ("Mirela Iordache", "Iordache"),
    ],
    "bangkok": [
        ("Somchai Wongsakul", "Somchai Wongsakul"), ("Prasert Chaiyaporn", "Prasert Chaiyaporn"),
        ("Anan Srisuk", "Anan Srisuk"), ("Kittisak Boonmee", "Kittisak Boonmee"),
        ("Wichai Rattanakul", "Wichai Rattanakul"), ("Malee Thongdee", "Malee Thongdee"),
        ("Sompong Kaewkla", "Sompong Kaewkla"), ("Narong Phromma", "Narong Phromma"),
        ("Sok Vanna", "Sok Vanna"), ("Chen Wei", "Chen Wei"),
        ("Boonsong Yodrak", "Boonsong Yodrak"), ("Pranee Sukjai", "Pranee Sukjai"),
    ],
    "sydney": [
        ("Bradley Kerr", "Kerr"), ("Darren Mitchell", "Mitchell"), ("Jason Pham", "Pham"),
        ("Sharon Tait", "Tait"), ("Budi Santoso", "Santoso"), ("Craig Lowther", "Lowther"),
        ("Michelle Ng", "Ng"), ("Lachlan Byrne", "Byrne"), ("Wayne Hollis", "Hollis"),
        ("Rodel Manalo", "Manalo"), ("Hendra Gunawan", "Gunawan"),
    ],
}  # fmt: skip

TITLE_PREFIX = {"london": "R v", "bangkok": "Public Prosecutor v", "sydney": "R v"}

# --- Witness identities (all fictional) -----------------------------------------------------


class Nationality(NamedTuple):
    languages: tuple[str, ...]
    needs_interpreter: bool
    family_first: bool
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


NATIONALITIES = {
    "Thai": Nationality(
        ("th",), True, False,
        ("Siriporn", "Nattaya", "Kanya", "Pimchanok", "Wanida", "Malai", "Ratana"),
        ("Somsak", "Anurak", "Chaiya", "Thanawat", "Kasem"),
        ("Srisawat", "Boonyarat", "Chaiyasit", "Kongkaew", "Phanthong", "Rattanapong"),
    ),
    "Vietnamese": Nationality(
        ("vi",), True, True,
        ("Thi Hoa", "Thi Lan", "Thi Mai", "Thi Huong", "Ngoc Anh", "Thu Trang"),
        ("Van Minh", "Duc Thang", "Van Hung", "Quoc Bao", "Minh Tuan"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang"),
    ),
    "Filipino": Nationality(
        ("tl", "en"), False, False,
        ("Maricel", "Jocelyn", "Rowena", "Analyn", "Cristina", "Lorna"),
        ("Jerome", "Ramil", "Arnel", "Joselito", "Mark Anthony"),
        ("Dela Cruz", "Santos", "Reyes", "Bautista", "Villanueva", "Mendoza"),
    ),
    "Nigerian": Nationality(
        ("en", "yo"), False, False,
        ("Blessing", "Joy", "Precious", "Favour", "Chioma", "Adaeze"),
        ("Emeka", "Tunde", "Chinedu", "Oluwaseun", "Ikenna"),
        ("Adeyemi", "Eze", "Obi", "Balogun", "Nwosu", "Okonkwo"),
    ),
    "Romanian": Nationality(
        ("ro",), True, False,
        ("Ioana", "Elena", "Andreea", "Mihaela", "Roxana"),
        ("Ionut", "Bogdan", "Vasile", "Catalin", "Gheorghe", "Adrian"),
        ("Popescu", "Ionescu", "Stan", "Dinu", "Munteanu", "Lungu"),
    ),
    "Albanian": Nationality(
        ("sq",), True, False,
        ("Elira", "Besa", "Arta", "Drita", "Valbona"),
        ("Gentian", "Dritan", "Erion", "Kujtim", "Besnik"),
        ("Krasniqi", "Gashi", "Shehu", "Leka", "Dervishi"),
    ),
    "British": Nationality(
        ("en",), False, False,
        ("Chloe", "Emma", "Sarah", "Leanne", "Gemma"),
        ("Daniel", "Liam", "Craig", "Tom", "Jamie"),
        ("Hughes", "Walsh", "Carter", "Pearce", "Bennett"),
    ),
    "Cambodian": Nationality(
        ("km",), True, True,
        ("Sophea", "Chanthou", "Sreymom", "Bopha", "Kunthea"),
        ("Vuthy", "Sokha", "Rithy", "Piseth", "Vannak"),
        ("Chea", "Keo", "Meas", "Phan", "Heng", "Nhem"),
    ),
    "Indonesian": Nationality(
        ("id",), True, False,
        ("Siti", "Dewi", "Wulan", "Rina", "Ayu"),
        ("Agus", "Eko", "Rizki", "Hendra", "Joko"),
        ("Susanto", "Wijaya", "Pratama", "Lestari", "Saputra", "Hidayat"),
    ),
    "Australian": Nationality(
        ("en",), False, False,
        ("Jessica", "Kylie", "Rebecca", "Tania"),
        ("Mitchell", "Brodie", "Shane", "Luke"),
        ("Nolan", "Fraser", "Kelly", "Doyle"),
    ),
}  # fmt: skip

LANGUAGE_NAMES = {
    "th": "Thai",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "en": "English",
    "yo": "Yoruba",
    "ro": "Romanian",
    "sq": "Albanian",
    "km": "Khmer",
    "id": "Indonesian",
}

MOSTLY_WOMEN = {"trafficking_sexual_exploitation", "trafficking_domestic_servitude"}

#: nationality of bystander witnesses at each court
LOCALS = {"london": "British", "bangkok": "Thai", "sydney": "Australian"}

PHONES = {"london": "07700 900{:03d}", "bangkok": "+66 2 000 0{:03d}", "sydney": "0491 570 {:03d}"}

STREETS = ("Example Street", "Sample Road", "Placeholder Lane", "Fictional Way", "Demo Close")

TOWNS = {"london": "London E99 9ZZ", "bangkok": "Bangkok 10999", "sydney": "Sydney NSW 2999"}

#: (guardian, how to reach them) for child witnesses
GUARDIANS = {
    "london": [
        ("Helen Cartwright (independent child trafficking guardian)",
         "helen.cartwright@guardians.example.org, 07700 900412"),
        ("Janet Oduya (foster carer)", "07700 900577"),
    ],
    "bangkok": [
        ("Suda Inthanon (case worker, children's shelter)", "+66 2 000 0471"),
        ("Boonmee Kaewmanee (aunt)", "+66 2 000 0388"),
    ],
    "sydney": [
        ("Maria Dela Cruz (mother)", "0491 570 156"),
        ("Tom Reilly (child protection caseworker)", "tom.reilly@families.example.org"),
    ],
}  # fmt: skip

# --- History: phases, consents and needs ----------------------------------------------------

#: the phases a participation has moved through after reflection, by the status of its case
STATUS_PATHS = {
    CaseStatus.investigation: [],
    CaseStatus.charged: [Phase.pre_trial],
    CaseStatus.trial: [Phase.pre_trial, Phase.trial],
    CaseStatus.sentenced: [Phase.pre_trial, Phase.trial, Phase.post_trial],
    CaseStatus.appeal: [Phase.pre_trial, Phase.trial, Phase.post_trial],
    CaseStatus.closed: [Phase.pre_trial, Phase.trial, Phase.post_trial, Phase.closed],
}
WITHDRAWN_PATH = [Phase.pre_trial, Phase.closed]

REFLECTION_DAYS = (30, 45, 60, 90)
#: days until the end of reflection for the first few witnesses still reflecting
REFLECTION_ENDING_SOON = (3, 6, 10, 13)

JOIN_REASONS = {
    ParticipationRole.victim_witness: (
        "Identified as a potential victim during a police operation; referred for a recovery "
        "and reflection period",
        "Self-referred through the Safe Harbour Shelter helpline",
        "Named as a victim in the police file; first contact made by the liaison officer",
        "Referred by the national referral mechanism after screening",
    ),
    ParticipationRole.witness: (
        "Gave a statement to the police about what they saw",
        "Able to give evidence about the same people; statement taken by the police",
    ),
}

MOVE_REASONS = {
    Phase.pre_trial: (
        "Charges filed; witness agreed to give evidence",
        "Reflection period over; witness decided to support the prosecution",
        "Defendants charged; witness informed and consented to take part",
    ),
    Phase.trial: (
        "Trial opened; witness warned to attend",
        "Trial listed; witness to give evidence by video link",
    ),
    Phase.post_trial: (
        "Verdict delivered; support continues through sentencing",
        "Evidence given and defendants convicted",
    ),
    Phase.closed: (
        "Proceedings concluded; support handed over to the shelter",
        "Sentence passed and no appeal lodged; file closed with the witness's agreement",
    ),
}
WITHDRAWN_REASON = "Witness withdrew from the proceedings; support continues through the shelter"

PARTICIPATE_NOTES = (
    "Signed after an interview with an interpreter",
    "Agreed at a meeting with the liaison officer",
    "Confirmed by phone and in writing",
)
WITHDRAW_PARTICIPATION_NOTE = "Witness no longer wishes to give evidence; told the officer"
SHARE_NOTE = "Agreed at the first needs meeting"
WITHDRAW_SHARE_NOTE = "Witness moved out of the shelter and asked that it receive no more updates"
#: the numbers of the shelter consents that the witness later withdrew
SHARES_WITHDRAWN = (5, 14)

NEED_NOTES = {
    NeedArea.childcare: (
        "Two children under five; needs childcare on court days and for pre-trial meetings.",
        "Single parent; the shelter nursery covers mornings only, so arrange afternoon care "
        "for trial days.",
    ),
    NeedArea.transport: (
        "Lives two hours from court; book and pay return travel in advance.",
        "Afraid to use public transport near the defendants' area; arrange a car from the safe "
        "address.",
        "Needs accompanied travel to the court familiarisation visit.",
    ),
    NeedArea.language: (
        "{language} interpreter for every meeting and at court; written material in {language}.",
        "Reads little; explain letters by phone through a {language} interpreter.",
        "Prefers a female {language} interpreter from outside the home province.",
    ),
    NeedArea.disability_medical: (
        "Ongoing treatment for injuries from the exploitation; clinic appointments on Tuesdays.",
        "Diagnosed with PTSD; counsellor recommends a break every 30 minutes when giving evidence.",
        "Pregnant; check fitness to attend before the trial is listed.",
        "Partial hearing loss in the left ear; seat to the right of the interpreter.",
    ),
    NeedArea.intimidation: (
        "Family at home received threats after the arrests; liaise with police about protection.",
        "Associates of the defendants seen near the shelter; review the safe address.",
        "Fears meeting the defendants in the court building; separate entrance and waiting "
        "room needed.",
        "Messages from an unknown social media account; phone checked by the police.",
    ),
    NeedArea.other: (
        "Immigration status under review; liaise with the legal adviser before court dates.",
        "Wants to return home after the trial; discuss giving evidence by video link from abroad.",
    ),
}
CHILD_NEED_NOTES = (
    "Needs a registered intermediary for interviews and evidence.",
    "Guardian must be present at every meeting; school hours to be respected.",
)


def load_demo(session: Session) -> list[tuple[str, str, str]] | None:
    """Add the demo organisations, users, courts, cases and witnesses; flush, never commit.

    Returns the sign-ins as (role, e-mail, password), or None, changing nothing, when any of
    the demo organisations, courts or users is already there.
    """
    if _demo_present(session):
        return None
    return _DemoBuilder(session).build()


def _demo_present(session: Session) -> bool:
    """Any demo organisation, court or user already exists."""
    emails = [f"{u.key}@{EMAIL_DOMAIN}" for u in USERS]
    clashes = [
        select(Organisation.id).where(Organisation.name.in_([n for n, _ in ORGANISATIONS])),
        select(Court.id).where(Court.name.in_([c[0] for c in COURTS.values()])),
        select(User.id).where(User.email.in_(emails)),
    ]
    return any(session.scalar(query.limit(1)) is not None for query in clashes)


class _DemoBuilder:
    """Builds the demo in order; each method adds one kind of record."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(SEED)
        self.now = now_utc()
        self.today = self.now.date()
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.courts: dict[str, Court] = {}
        self.case_age: dict[int, int] = {}
        self.counters: Counter[str] = Counter()
        self.used_names: set[str] = set()

    def build(self) -> list[tuple[str, str, str]]:
        """Add everything; returns the sign-ins."""
        credentials = self.add_users()
        self.add_courts()
        cases = self.add_cases()
        self.add_witnesses(cases)
        self.add_invite_choice()
        self.add_schedule(cases)
        self.add_support(cases)
        return credentials

    # --- time ---

    def days_ago(self, days: float) -> datetime:
        """An instant ``days`` before now, at a varied time of day."""
        return self.now - timedelta(days=days, minutes=self.rng.randint(0, 480))

    def between(self, start: datetime, end: datetime) -> datetime:
        """An instant between ``start`` and ``end`` (``end`` if they are the wrong way round)."""
        if end <= start:
            return end
        return start + (end - start) * self.rng.uniform(0.1, 0.9)

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
            self.courts[key] = Court(name=name, address=address, timezone=timezone)
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

    # --- scheduling ---

    def local(self, court: Court, day: date, hour: int, minute: int = 0) -> datetime:
        """That wall-clock time at the court, as a UTC instant."""
        zone = ZoneInfo(court.timezone)
        return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)

    def working_day(self, days_ahead: int) -> date:
        day = self.today + timedelta(days=days_ahead)
        while day.isoweekday() > 5:
            day += timedelta(days=1)
        return day

    def add_schedule(self, cases: list[tuple[CaseSpec, Case]]) -> None:
        """Rooms and interpreters, a trial day for each case at trial (its standard measures
        proposed), and the officers' bookings around them. Demo invites are not e-mailed."""
        supervisor = self.users["supervisor"]
        rooms: dict[int, dict[ResourceKind, Resource]] = {}
        for court in self.courts.values():
            rooms[court.id] = {}
            for kind, name, location in _Schedule.ROOMS:
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
        for name, languages in _Schedule.INTERPRETERS:
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
        """Accompaniment for the first victim-witness of each officer in the case, and a
        familiarisation visit a few days before."""
        participations = self.session.scalars(
            select(Participation).where(Participation.case_id == case.id)
        ).all()
        booked_officers: set[int] = set()
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
            if assignment is None or assignment.user_id in booked_officers:
                continue
            officer = assignment.user
            booked_officers.add(officer.id)
            language = witness.languages[0] if witness.needs_interpreter else None
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

    # --- the support ledger ---

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

    # --- witnesses ---

    def add_witnesses(self, cases: list[tuple[CaseSpec, Case]]) -> None:
        """Open the witness files case by case; a few also give evidence in a second case."""
        # Two files in three go to the first officer, the one whose sign-in is printed first.
        officers = [self.users["liaison"], self.users["liaison2"], self.users["liaison"]]
        eligible = []
        for spec, case in cases:
            for kind in spec.roster:
                officer = officers[self.counters["witness"] % len(officers)]
                witness = self.new_witness(spec, kind, officer)
                role = (
                    ParticipationRole.witness if kind == "w" else ParticipationRole.victim_witness
                )
                participation = self.join_case(witness, officer, case, role, kind)
                witness.created_dt = participation.created_dt - timedelta(hours=1)
                self.follow_up(witness, officer, participation, kind)
                if kind == "a" and case.status is not CaseStatus.closed:
                    eligible.append((witness, officer, spec, case))
        for witness, officer, spec, case in self.rng.sample(eligible, 8):
            others = [
                c
                for s, c in cases
                if s.court == spec.court and c is not case and c.status is not CaseStatus.closed
            ]
            other = self.rng.choice(others)
            participation = self.join_case(witness, officer, other, ParticipationRole.witness, "w")
            witness.created_dt = min(witness.created_dt, participation.created_dt)
            self.consent_to_participate(witness, officer, participation, "w")

    def new_witness(self, spec: CaseSpec, kind: str, officer: User) -> Witness:
        """Open one witness file with a fictional identity that fits the case."""
        rng = self.rng
        self.counters["witness"] += 1
        label = LOCALS[spec.court] if kind == "w" else rng.choice(spec.nationalities)
        nationality = NATIONALITIES[label]
        gender = self.gender(spec, kind)
        is_child = kind in "cp"
        fields = dict(
            reference=f"VW-{self.counters['witness']:03d}",
            legal_name=self.legal_name(nationality, gender),
            gender=gender,
            nationality=label,
            languages=list(nationality.languages),
            needs_interpreter=nationality.needs_interpreter,
            date_of_birth=self.birth_date(kind),
            is_presumed_child=kind == "p",
            phone=PHONES[spec.court].format(rng.randint(0, 999)) if rng.random() < 0.8 else None,
            address=self.address(spec.court) if rng.random() < 0.85 else None,
        )
        if not is_child and rng.random() < 0.6:
            given = fields["legal_name"].split()[-1 if nationality.family_first else 0]
            fields["email"] = f"{given.lower()}{rng.randint(10, 99)}@example.org"
        if is_child and (kind == "p" or rng.random() < 0.75):
            fields["guardian_name"], fields["guardian_contact"] = rng.choice(GUARDIANS[spec.court])
        return create_witness(self.session, officer, **fields)

    def gender(self, spec: CaseSpec, kind: str) -> str:
        """Mostly women in sexual exploitation and servitude cases, men in forced labour."""
        offences = set(spec.offences)
        female_share = 0.5
        if kind != "w" and offences & MOSTLY_WOMEN:
            female_share = 0.9
        elif kind != "w" and "trafficking_forced_labour" in offences:
            female_share = 0.2
        return "Female" if self.rng.random() < female_share else "Male"

    def legal_name(self, nationality: Nationality, gender: str) -> str:
        """A name not yet used in the demo, in the nationality's usual order."""
        while True:
            given = self.rng.choice(nationality.female if gender == "Female" else nationality.male)
            family = self.rng.choice(nationality.family)
            name = f"{family} {given}" if nationality.family_first else f"{given} {family}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def birth_date(self, kind: str) -> date | None:
        """Children are 13 to 17 today; a presumed child's age is not known."""
        if kind == "p":
            return None
        years = self.rng.uniform(13.2, 17.8) if kind == "c" else self.rng.uniform(19, 58)
        return self.today - timedelta(days=int(years * 365.25))

    def address(self, court: str) -> str:
        """An obviously fictional street address near the court."""
        return f"{self.rng.randint(1, 99)} {self.rng.choice(STREETS)}, {TOWNS[court]}"

    # --- participation and phases ---

    def join_case(
        self, witness: Witness, officer: User, case: Case, role: ParticipationRole, kind: str
    ) -> Participation:
        """Put the witness in the case and move them through the phases the case has reached."""
        path = _phase_path(case.status, kind)
        # The recovery and reflection period is for victims of trafficking.
        reflects = role is ParticipationRole.victim_witness and case.is_trafficking
        if path or not reflects:
            joined_days = max(self.case_age[case.id] - self.rng.randint(10, 45), 5)
            period = self.rng.choice(REFLECTION_DAYS) if reflects else 14
        else:
            joined_days, period = self.reflection_window()
        end_date = self.today + timedelta(days=period - joined_days) if reflects else None
        joined = self.days_ago(joined_days)
        participation = add_participation(
            self.session,
            officer,
            witness,
            case.id,
            role,
            self.rng.choice(JOIN_REASONS[role]),
            end_date,
        )
        participation.created_dt = joined
        participation.transitions[0].transition_dt = joined
        moves = self.spread(joined + timedelta(days=period), len(path))
        for phase, when in zip(path, moves, strict=True):
            withdrawn = kind == "x" and phase is Phase.closed
            reason = WITHDRAWN_REASON if withdrawn else self.rng.choice(MOVE_REASONS[phase])
            change_phase(self.session, officer, participation, phase, reason).transition_dt = when
        return participation

    def reflection_window(self) -> tuple[int, int]:
        """(days since joining, length of reflection) for a victim still reflecting."""
        self.counters["reflecting"] += 1
        n = self.counters["reflecting"]
        if n <= len(REFLECTION_ENDING_SOON):
            days_left = REFLECTION_ENDING_SOON[n - 1]
        else:
            days_left = self.rng.randint(18, 75)
        period = self.rng.choice([d for d in REFLECTION_DAYS if d > days_left + 5])
        return period - days_left, period

    def spread(self, start: datetime, count: int) -> list[datetime]:
        """``count`` instants from ``start`` to two days ago, evenly spaced."""
        end = self.now - timedelta(days=2)
        start = min(start, end - timedelta(days=count + 1))
        step = (end - start) / max(count, 1)
        return [start + step * k for k in range(count)]

    # --- consents, assignments and needs ---

    def follow_up(
        self,
        witness: Witness,
        officer: User,
        participation: Participation,
        kind: str,
    ) -> None:
        """Consents, NGO assignments and needs after the witness joined their case."""
        participates = self.consent_to_participate(witness, officer, participation, kind)
        shared = self.consent_to_share(witness, officer, participation, kind)
        if participates:
            self.consent_to_notify(witness, officer, participation.created_dt, shared)
        if self.rng.random() < 0.7:
            self.assess_needs(witness, officer, participation, kind, shared)

    def consent_to_participate(
        self, witness: Witness, officer: User, participation: Participation, kind: str
    ) -> bool:
        """Most decide at the end of reflection; some still reflecting have not decided yet."""
        transitions = participation.transitions
        if participation.phase is Phase.reflection:
            if kind == "l" or self.rng.random() < 0.7:
                return False
            when = self.between(participation.created_dt, self.now)
        else:
            when = transitions[1].transition_dt - timedelta(hours=2)
        consent = record_consent(
            self.session,
            officer,
            witness,
            ConsentKind.participate,
            True,
            case_id=participation.case_id,
            notes=self.rng.choice(PARTICIPATE_NOTES),
        )
        consent.recorded_dt = when
        if kind == "x":
            withdrawal = record_consent(
                self.session,
                officer,
                witness,
                ConsentKind.participate,
                False,
                case_id=participation.case_id,
                notes=WITHDRAW_PARTICIPATION_NOTE,
            )
            withdrawal.recorded_dt = transitions[-1].transition_dt - timedelta(hours=2)
            return False
        return True

    def consent_to_share(
        self, witness: Witness, officer: User, participation: Participation, kind: str
    ) -> list[User]:
        """Share with the shelter (children most often) or, for forced labour, the legal aid
        NGO; returns the NGO workers now assigned to the witness."""
        if kind == "w":
            return []
        case = participation.case
        chance = 0.85 if kind in "cp" else 0.45 if case.is_trafficking else 0.15
        since = participation.created_dt
        workers = []
        if self.rng.random() < chance:
            self.counters["shelter"] += 1
            n = self.counters["shelter"]
            granted = self.share(
                witness, officer, SHELTER, self.between(since, self.now), identity=n % 2 == 1
            )
            if n in SHARES_WITHDRAWN:
                withdrawn = self.between(granted, self.now)
                self.share(witness, officer, SHELTER, withdrawn, identity=False, granted=False)
            elif n % 3 != 0:
                workers.append(self.assign(witness, officer, self.users["ngo"], granted))
        labour = OffenceCategory.trafficking_forced_labour in case.offence_categories
        if labour and self.rng.random() < 0.4:
            granted = self.share(
                witness,
                officer,
                LEGAL_AID,
                self.between(since, self.now),
                identity=self.rng.random() < 0.5,
            )
            workers.append(self.assign(witness, officer, self.users["ngo2"], granted))
        return workers

    def share(
        self,
        witness: Witness,
        officer: User,
        org_name: str,
        when: datetime,
        *,
        identity: bool,
        granted: bool = True,
    ) -> datetime:
        """Record a sharing decision dated ``when``; returns ``when``."""
        consent = record_consent(
            self.session,
            officer,
            witness,
            ConsentKind.share,
            granted,
            organisation_id=self.orgs[org_name].id,
            includes_identity=identity,
            notes=SHARE_NOTE if granted else WITHDRAW_SHARE_NOTE,
        )
        consent.recorded_dt = when
        return when

    def assign(self, witness: Witness, officer: User, worker: User, since: datetime) -> User:
        """Assign an NGO worker the witness shares with; returns the worker."""
        assignment = assign_staff(self.session, officer, witness, worker.id)
        assignment.assigned_dt = self.between(since, self.now)
        return worker

    def consent_to_notify(
        self, witness: Witness, officer: User, since: datetime, workers: list[User]
    ) -> None:
        """One to three safe channels; through the NGO only for witnesses an NGO supports."""
        channels = []
        if witness.email and self.rng.random() < 0.7:
            channels.append(Channel.email)
        if witness.address and self.rng.random() < 0.5:
            channels.append(Channel.post)
        if workers and self.rng.random() < 0.7:
            channels.append(Channel.via_ngo)
        for channel in channels or [Channel.post if witness.address else Channel.phone]:
            consent = record_consent(
                self.session, officer, witness, ConsentKind.notify, True, channel=channel
            )
            consent.recorded_dt = self.between(since, self.now)

    def assess_needs(
        self,
        witness: Witness,
        officer: User,
        participation: Participation,
        kind: str,
        workers: list[User],
    ) -> None:
        """One or two needs; an NGO worker supporting the witness records some of them."""
        areas = self.need_areas(witness, kind, participation.case.is_trafficking)
        for area in self.rng.sample(areas, self.rng.choice((1, 1, 2))):
            if area is NeedArea.other and kind in "cp":
                notes = self.rng.choice(CHILD_NEED_NOTES)
            else:
                language = LANGUAGE_NAMES[witness.languages[0]]
                notes = self.rng.choice(NEED_NOTES[area]).format(language=language)
            actor = workers[0] if workers and self.rng.random() < 0.4 else officer
            need = record_need(self.session, actor, witness, area, notes, self.review_date())
            need.recorded_dt = self.between(participation.created_dt, self.now)

    def need_areas(self, witness: Witness, kind: str, trafficking: bool) -> list[NeedArea]:
        """The areas a witness of this kind plausibly needs help with."""
        areas = [NeedArea.transport, NeedArea.disability_medical]
        if witness.needs_interpreter:
            areas.append(NeedArea.language)
        if kind != "w":
            areas.append(NeedArea.intimidation)
        if kind in "cp" or (kind != "w" and trafficking):
            areas.append(NeedArea.other)
        if kind not in "cpw" and witness.gender == "Female":
            areas.append(NeedArea.childcare)
        return areas

    def review_date(self) -> date:
        """Every fifth need is due within a fortnight; a few are overdue."""
        self.counters["need"] += 1
        n = self.counters["need"]
        if n % 5 == 0:
            days = self.rng.randint(1, 14)
        elif n % 17 == 3:
            days = -self.rng.randint(2, 12)
        else:
            days = self.rng.randint(15, 120)
        return self.today + timedelta(days=days)


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


class _Schedule:
    """Rooms of each court, interpreters, upcoming hearings with their measures, and bookings."""

    ROOMS = [
        (ResourceKind.courtroom, "Courtroom 1", ""),
        (ResourceKind.courtroom, "Courtroom 2", ""),
        (ResourceKind.video_link_suite, "Video-link suite", ""),
        (ResourceKind.waiting_room, "Witness waiting room", ""),
        (ResourceKind.remote_site, "Remote witness site", "Community centre, side entrance"),
    ]
    INTERPRETERS = [
        ("Malee Chaiyaporn", ["th", "km"]),
        ("Tran Van Minh", ["vi"]),
        ("Maria Santos", ["tl", "id"]),
        ("Ioana Radu", ["ro"]),
        ("Arben Hoxha", ["sq"]),
        ("Adebayo Okafor", ["yo", "en"]),
    ]


def _phase_path(status: CaseStatus, kind: str) -> list[Phase]:
    """The phases after reflection a witness of roster ``kind`` has reached in the case."""
    if kind == "l":
        return []
    if kind == "x":
        return WITHDRAWN_PATH
    return STATUS_PATHS[status]


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
