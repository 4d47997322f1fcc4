"""What an audit event's action is in words, for the "who looked at this witness" page."""

from __future__ import annotations

from witness.core.i18n import gettext

#: the readings a supervisor asks about most, each in words of its own
_NAMED = {
    "witness.view": lambda: gettext("Opened the witness's file"),
    "witness.refused": lambda: gettext("Tried to open the witness's file: refused"),
    "witness.access_log_view": lambda: gettext("Read who looked at this witness"),
    "witness.access_log_refused": lambda: gettext(
        "Tried to read who looked at this witness: refused"
    ),
    "witness.outcomes_view": lambda: gettext("Read the outcomes of the witness's cases"),
    "support.view": lambda: gettext("Read the support ledger"),
    "risk.view": lambda: gettext("Read the risk page"),
    "risk_assessment.view": lambda: gettext("Read a risk assessment"),
    "protection.view": lambda: gettext("Read the protection plan"),
    "contact_preference.view": lambda: gettext("Read the contact preferences"),
    "letter.viewed": lambda: gettext("Read a letter"),
    "letter.reprinted": lambda: gettext("Reprinted a letter"),
    "appointment.view": lambda: gettext("Read an appointment"),
    "posttrial.view": lambda: gettext("Read the after-trial page"),
}


def action_words(action: str) -> str:
    """``action`` in words: a named reading, else what kind of record was read or refused."""
    named = _NAMED.get(action)
    if named is not None:
        return named()
    kind, _, verb = action.partition(".")
    what = kind.replace("_", " ")
    if verb.endswith("refused"):
        return gettext("Refused: %(what)s (%(action)s)", what=what, action=action)
    if "export" in verb or "download" in verb:
        return gettext("Exported or downloaded: %(what)s (%(action)s)", what=what, action=action)
    return gettext("Read: %(what)s (%(action)s)", what=what, action=action)
