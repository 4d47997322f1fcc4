"""The risk assessment instrument, versioned, and the rule that turns answers into a level.

Pure: no database, no request. A completed assessment keeps the version it was made with and
its answers per factor, so a later version (a factor added, a label reworded) never rewrites
what was assessed before; an old assessment is read with its own version's factors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from witness.core.i18n import gettext, lazy_gettext


class Answer(enum.Enum):
    present = "present"
    absent = "absent"
    unknown = "unknown"

    @property
    def label(self) -> str:
        return {
            "present": gettext("Present"),
            "absent": gettext("Absent"),
            "unknown": gettext("Unknown"),
        }[self.value]


class RiskLevel(enum.Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def label(self) -> str:
        return {
            "low": gettext("Low"),
            "medium": gettext("Medium"),
            "high": gettext("High"),
            "critical": gettext("Critical"),
        }[self.value]

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    #: a factor that on its own makes the risk high, and critical with the accused at large
    critical: bool = False


#: the factor that says the accused (or their associates) are free and near the witness
AT_LARGE = "accused_at_large"

_V1 = (
    Factor("threats", lazy_gettext("Threats or intimidation received"), critical=True),
    Factor(
        "location_known",
        lazy_gettext("The accused or their associates know where the witness lives or works"),
        critical=True,
    ),
    Factor("family_at_risk", lazy_gettext("Family in the country of origin at risk")),
    Factor("debts", lazy_gettext("Debts to traffickers")),
    Factor("organised_crime", lazy_gettext("Organised-crime involvement")),
    Factor(
        AT_LARGE,
        lazy_gettext(
            "The accused is at large or on bail, or lives or works near the witness "
            "(custody status and proximity)"
        ),
    ),
    Factor("prior_violence", lazy_gettext("Prior violence or weapons"), critical=True),
    Factor("child", lazy_gettext("The witness is a child")),
    Factor("immigration", lazy_gettext("Insecure immigration status")),
    Factor("health", lazy_gettext("Health or mental health concerns")),
    Factor("re_trafficking", lazy_gettext("Indicators of re-trafficking"), critical=True),
    Factor("return_risk", lazy_gettext("Risks on return to the country of origin")),
    Factor("media", lazy_gettext("Media exposure")),
)
_RETURN_ONLY = (
    Factor(
        "traffickers_at_destination",
        lazy_gettext("The traffickers or their associates are active where the witness will live"),
        critical=True,
    ),
    Factor("no_reception", lazy_gettext("No safe place to stay or support arranged on arrival")),
    Factor(
        "community_rejection", lazy_gettext("Family or community rejection or stigma on return")
    ),
    Factor(
        "documents_withheld",
        lazy_gettext("Identity or travel documents held by others or not arranged"),
    ),
)

#: every version of the instrument; a new version is a new key, never an edit of an old one
RISK_INSTRUMENTS: dict[str, tuple[Factor, ...]] = {
    "v1": _V1,
    "return-v1": _V1 + _RETURN_ONLY,
}
#: the version offered for a new assessment, and for a witness going home
CURRENT = "v1"
CURRENT_RETURN = "return-v1"
INSTRUMENT_LABELS = {
    "v1": lazy_gettext("Risk assessment (v1)"),
    "return-v1": lazy_gettext("Return / repatriation (v1)"),
}


def factors_of(version: str) -> tuple[Factor, ...]:
    """The factors of ``version``; a version that is not known is a ``KeyError``."""
    return RISK_INSTRUMENTS[version]


def level_for(version: str, answers: dict[str, str]) -> tuple[RiskLevel, str]:
    """The level the answers call for, and the line of the rule that decided it.

    ``answers`` maps a factor's key to "present", "absent" or "unknown" (missing = unknown).
    The rules are read top to bottom; the first that holds decides:

    ====  ==========================================================  ========
    rule  when                                                        level
    ====  ==========================================================  ========
    1     a critical factor present and the accused at large present  critical
    2     a critical factor present                                   high
    3     three or more other factors present                         high
    4     one or two other factors present                            medium
    5     a critical factor unknown                                   medium
    6     otherwise                                                   low
    ====  ==========================================================  ========

    Critical factors: threats; the accused know where the witness lives or works; prior
    violence or weapons; re-trafficking indicators; and (return variant) traffickers active
    where the witness will live. "Other" factors are every other factor, the accused at large
    included.
    """
    factors = factors_of(version)
    present = {f.key for f in factors if answers.get(f.key) == Answer.present.value}
    unknown = {
        f.key for f in factors if answers.get(f.key, Answer.unknown.value) == Answer.unknown.value
    }
    critical = {f.key for f in factors if f.critical}
    others = present - critical
    if present & critical and AT_LARGE in present:
        return RiskLevel.critical, "1: a critical factor with the accused at large"
    if present & critical:
        return RiskLevel.high, "2: a critical factor present"
    if len(others) >= 3:
        return RiskLevel.high, "3: three or more other factors present"
    if others:
        return RiskLevel.medium, "4: one or two other factors present"
    if unknown & critical:
        return RiskLevel.medium, "5: a critical factor not known"
    return RiskLevel.low, "6: no factor present, every critical factor known to be absent"
