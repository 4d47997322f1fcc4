"""The generated data's own words and numbers (``flask generate-data``): its regions, towns,
NGOs and staff names, and how its cases, offences and witnesses are weighted. The witnesses'
nationalities, names, phases and notes are the demo's (``witness.demo.vocabulary``).
"""

from __future__ import annotations

from witness.cases.models import CaseStatus, OffenceCategory
from witness.demo.vocabulary import NATIONALITIES

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
