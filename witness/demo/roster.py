"""The demo's cast: its organisations and sign-ins, its three courts with their rooms and
interpreters, its twenty cases and their defendants, and the people around its witnesses.

Everything here is fictional. The words and numbers its stories are told with (nationalities,
reasons, notes) are in ``witness.demo.vocabulary``.
"""

from __future__ import annotations

from typing import NamedTuple

from witness.auth.models import OrganisationKind, Role
from witness.rooms.models import ResourceKind

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

# --- Rooms and interpreters -----------------------------------------------------------------

#: every court's rooms: (kind, name, location)
ROOMS = [
    (ResourceKind.courtroom, "Courtroom 1", ""),
    (ResourceKind.courtroom, "Courtroom 2", ""),
    (ResourceKind.video_link_suite, "Video-link suite", ""),
    (ResourceKind.waiting_room, "Witness waiting room", ""),
    (ResourceKind.remote_site, "Remote witness site", "Community centre, side entrance"),
]
#: the office's interpreters: (name, languages)
INTERPRETERS = [
    ("Malee Chaiyaporn", ["th", "km"]),
    ("Tran Van Minh", ["vi"]),
    ("Maria Santos", ["tl", "id"]),
    ("Ioana Radu", ["ro"]),
    ("Arben Hoxha", ["sq"]),
    ("Adebayo Okafor", ["yo", "en"]),
]
