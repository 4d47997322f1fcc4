"""What the generated support ledger gives: the kinds of item (category, descriptions, unit,
quantities and prices, the need each meets and its rationales), their weights for victims and
for bystander witnesses, and the reasons and notes of reversals and approvals."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from json.encoder import encode_basestring_ascii

from witness.ledger.models import SupportCategory
from witness.people.models import NeedArea

C = SupportCategory
A = NeedArea
UNLINKED_PREFIX = "Not yet in an assessment of needs: "


def _json(text: str) -> str:
    """A string as ``json.dumps`` writes it (ASCII, quoted)."""
    return encode_basestring_ascii(text)


@dataclass(frozen=True)
class _Kind:
    """A kind of item: what it is called, in what unit, how many and at what unit price."""

    category: SupportCategory
    #: relative weights for victims and for bystander witnesses
    victim: float
    bystander: float
    #: (description, is cash or cash-like) to choose from
    descriptions: tuple[tuple[str, bool], ...]
    unit: str
    quantity: tuple[int, int]
    #: unit price in pence
    price: tuple[int, int]
    area: NeedArea
    rationales: tuple[str, ...]
    #: an NGO the witness shares their file with may give it (and records it)
    ngo: bool = False

    def __post_init__(self) -> None:
        # What the planner picks from, with the JSON the hash takes, worked out once.
        put = object.__setattr__
        put(self, "choices", tuple((d, cash, _json(d)) for d, cash in self.descriptions))
        put(self, "linked", tuple((r, _json(r)) for r in self.rationales))
        unlinked = (UNLINKED_PREFIX + r for r in self.rationales)
        put(self, "unlinked", tuple((r, _json(r)) for r in unlinked))
        put(self, "category_json", _json(self.category.value))
        put(self, "unit_json", _json(self.unit))


KINDS = (
    _Kind(
        C.safe_accommodation, 12, 0,
        (("Safe house accommodation", False), ("Emergency hotel room", False),
         ("Refuge bed space", False)),
        "nights", (1, 7), (3800, 8500), A.intimidation,
        ("Cannot stay at the previous address: the defendant's associates know it.",
         "Moved after threats were reported to the police."),
        ngo=True,
    ),
    _Kind(
        C.counselling, 15, 1,
        (("Counselling session", False), ("Trauma-focused therapy session", False),
         ("Group support session", False)),
        "sessions", (1, 2), (4000, 7500), A.other,
        ("Referred for counselling after the assessment of needs.",
         "Anxiety and sleeplessness ahead of giving evidence."),
        ngo=True,
    ),
    _Kind(
        C.transport, 20, 30,
        (("Rail fare to court", False), ("Taxi to the witness service", False),
         ("Bus fares to appointments", False), ("Mileage for the supporter's car", False)),
        "trips", (1, 4), (400, 3800), A.transport,
        ("No car; lives far from the court and the office.",
         "Cannot use public transport alone on the day (fear of being followed)."),
    ),
    _Kind(
        C.meals_subsistence, 13, 14,
        (("Meals on a court day", False), ("Subsistence allowance", False),
         ("Supermarket food vouchers", True)),
        "meals", (1, 6), (500, 1200), A.other,
        ("No income while waiting for a decision on support.",
         "A long day at court or the office, away from home."),
    ),
    _Kind(
        C.witness_expenses, 7, 22,
        (("Loss of earnings for attending court", True),
         ("Travel and subsistence claim for the court day", True),
         ("Carer's costs for the court day", True)),
        "days", (1, 1), (3500, 12000), A.transport,
        ("Attended court to give evidence; claim checked against the listing.",),
    ),
    _Kind(
        C.communication, 6, 2,
        (("Mobile phone top-up", True), ("Basic mobile phone", False)),
        "items", (1, 1), (1000, 4000), A.intimidation,
        ("Needs a phone the officer can reach safely.",),
    ),
    _Kind(
        C.medical_dental, 5, 1,
        (("Dental treatment", False), ("Prescription charges", False),
         ("Optician appointment and glasses", False)),
        "appointments", (1, 1), (2000, 18000), A.disability_medical,
        ("Untreated injuries from the time of the offence.",),
    ),
    _Kind(
        C.interpreting, 5, 0,
        (("Interpreter for a support meeting", False), ("Telephone interpreting", False)),
        "hours", (1, 3), (2800, 4500), A.language,
        ("Speaks little English; the meeting needed an interpreter.",),
    ),
    _Kind(
        C.language_training, 2, 0,
        (("English language course (ESOL), one term", False),),
        "terms", (1, 1), (9000, 26000), A.language,
        ("Learning English to live independently.",),
    ),
    _Kind(
        C.childcare, 3, 2,
        (("Childcare while attending an appointment", False),),
        "hours", (2, 8), (600, 1200), A.childcare,
        ("Sole carer of young children.",),
    ),
    _Kind(
        C.immigration_visa, 2, 0,
        (("Visa application fee", False), ("Immigration advice appointment", False),
         ("Biometric residence permit fee", False)),
        "applications", (1, 1), (4000, 40000), A.other,
        ("Immigration status unresolved; needed to stay for the trial.",),
        ngo=True,
    ),
    _Kind(
        C.legal_counselling, 2, 0.5,
        (("Legal advice session", False),),
        "sessions", (1, 1), (6000, 15000), A.other,
        ("Questions about rights as a victim and about compensation.",),
        ngo=True,
    ),
    _Kind(
        C.safety_security, 3, 1,
        (("Personal alarm", False), ("Door lock replacement", False), ("Video doorbell", False)),
        "items", (1, 1), (2500, 18000), A.intimidation,
        ("Fears being found at home before the trial.",),
    ),
    _Kind(
        C.livelihood_grant, 1, 0,
        (("Livelihood start-up grant", True), ("Hardship grant", True)),
        "grants", (1, 1), (15000, 60000), A.other,
        ("No income; working towards independence after the exploitation.",),
    ),
    _Kind(
        C.vocational_training, 1, 0,
        (("Vocational training course", False),),
        "courses", (1, 1), (15000, 70000), A.other,
        ("Training for work after the exploitation.",),
    ),
    _Kind(
        C.education, 1, 0,
        (("School uniform and books", False), ("College enrolment fee", False)),
        "items", (1, 1), (3000, 25000), A.other,
        ("Back into education.",),
    ),
    _Kind(
        C.job_placement, 0.5, 0,
        (("Job placement support", False),),
        "sessions", (1, 1), (5000, 12000), A.other,
        ("Looking for work.",),
    ),
    _Kind(
        C.compensation_assistance, 0.5, 0,
        (("Help with a criminal injuries compensation claim", False),),
        "sessions", (1, 1), (4000, 9000), A.other,
        ("Eligible to claim criminal injuries compensation.",),
    ),
    _Kind(
        C.other, 1, 1,
        (("Clothing for court", False), ("Toiletries pack", False)),
        "items", (1, 1), (1500, 6000), A.other,
        ("Arrived with nothing of their own.",),
    ),
)  # fmt: skip
_VICTIM_CUM = list(accumulate(k.victim for k in KINDS))
_BYSTANDER_CUM = list(accumulate(k.bystander for k in KINDS))
#: days before it is recorded that an item was given
BACK_DAYS = (0, 0, 0, 0, 1, 2, 3, 7)
_EXPENSES = next(k for k in KINDS if k.category is C.witness_expenses)
_TRANSPORT = next(k for k in KINDS if k.category is C.transport)
_INTERPRETING = (C.interpreting, C.language_training)

REVERSAL_REASONS = (
    "Recorded twice by mistake.",
    "Wrong amount entered; recorded again with the right amount.",
    "The session did not take place.",
    "Recorded against the wrong witness.",
)
APPROVAL_NOTES = ("", "", "", "Checked against the receipt.", "Agreed at the case review.")
