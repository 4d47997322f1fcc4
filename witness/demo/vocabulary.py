"""The words and numbers the demo's stories are told with: how old a case of each status is,
who is in custody, the witnesses' nationalities, names and languages, the phases they pass
through and the reasons, notes and needs recorded on the way.

``flask generate-data`` (``witness.bench``) tells its national-scale stories with them too.
"""

from __future__ import annotations

from typing import NamedTuple

from witness.cases.models import CaseStatus, CustodyStatus
from witness.people.models import NeedArea, ParticipationRole, Phase

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
