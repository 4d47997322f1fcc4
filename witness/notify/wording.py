"""What the witness is told, in plain words and in their language: one sentence per event kind
(for an e-mail's summary and a call's script), and the e-mail bodies by the detail the witness
chose. Pure: no database, no request; call inside ``core.i18n.in_language(code)``.

The words are discreet: no offence, no trafficking, no prosecution. The e-mail may be read by
someone else (a shared mailbox), so "call me" says only that there is news."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import get_locale

from witness.core.i18n import gettext, lazy_gettext
from witness.notify.models import EmailDetail
from witness.outcomes.models import EventKind, EventResult

#: what happened, one plain sentence per event kind
WHAT_HAPPENED = {
    EventKind.plea: lazy_gettext("The person accused has told the court how they plead."),
    EventKind.verdict: lazy_gettext("The court has reached its decision."),
    EventKind.sentence: lazy_gettext("The court has decided the sentence."),
    EventKind.discontinued: lazy_gettext("The case against the person accused has been stopped."),
    EventKind.appeal_lodged: lazy_gettext("An appeal has been made against the decision."),
    EventKind.appeal_heard: lazy_gettext("The appeal has been heard."),
    EventKind.appeal_decided: lazy_gettext("The appeal has been decided."),
    EventKind.retrial_ordered: lazy_gettext("There will be a new trial."),
    EventKind.remanded: lazy_gettext("The person accused is being held in custody."),
    EventKind.bailed: lazy_gettext("The person accused has been released on conditions."),
    EventKind.bail_varied: lazy_gettext("The conditions on the person accused have changed."),
    EventKind.transferred: lazy_gettext("The person has been moved to another place."),
    EventKind.parole_eligible: lazy_gettext("The person may now ask to be released early."),
    EventKind.parole_hearing: lazy_gettext("A hearing about early release has been set."),
    EventKind.release_date_set: lazy_gettext("There is a date when the person may be released."),
    EventKind.released: lazy_gettext("The person has been released."),
    EventKind.temporary_release: lazy_gettext("The person has been let out for a short time."),
    EventKind.escaped: lazy_gettext("The person has escaped. Your safety comes first."),
    EventKind.absconded: lazy_gettext("The person has broken their conditions and left."),
    EventKind.recaptured: lazy_gettext("The person is back in custody."),
    EventKind.deported: lazy_gettext("The person has been sent out of the country."),
    EventKind.died: lazy_gettext("The person has died."),
}

#: what a verdict or appeal decided, when it says
RESULTS = {
    EventResult.guilty: lazy_gettext("The decision is: guilty."),
    EventResult.not_guilty: lazy_gettext("The decision is: not guilty."),
    EventResult.no_verdict: lazy_gettext("The court could not reach a decision."),
    EventResult.appeal_allowed: lazy_gettext("The appeal was accepted."),
    EventResult.appeal_dismissed: lazy_gettext("The appeal was refused."),
    EventResult.sentence_varied: lazy_gettext("The sentence was changed."),
    EventResult.conviction_quashed: lazy_gettext("The guilty decision was cancelled."),
}


@dataclass(frozen=True)
class Facts:
    """What a message may say: never the case's reference, the court or the offence."""

    kind: EventKind
    result: EventResult | None = None
    effective: date | None = None
    #: whom to call back: the officer's first name and a safe line ("" when none is known)
    officer: str = ""
    line: str = ""
    #: whom the call is for: the witness's first name, or the contact person's for a child
    person: str = ""


def what_happened(facts: Facts) -> str:
    """The news in one or two plain sentences, with the date it took effect."""
    parts = [str(WHAT_HAPPENED.get(facts.kind, lazy_gettext("There is news in your case.")))]
    if facts.result is not None and facts.result in RESULTS:
        parts.append(str(RESULTS[facts.result]))
    if facts.effective is not None:
        day = format_date(facts.effective, format="long", locale=str(get_locale() or "en"))
        parts.append(gettext("This was on %(day)s.", day=day))
    return " ".join(parts)


def call_back(facts: Facts) -> str:
    """Whom to call: "Please call Sam on +44 ...", or the support officer without a name."""
    if facts.officer and facts.line:
        return gettext("Please call %(name)s on %(line)s.", name=facts.officer, line=facts.line)
    if facts.line:
        return gettext("Please call your support officer on %(line)s.", line=facts.line)
    return gettext("Please call your support officer.")


def email_body(detail: EmailDetail, facts: Facts) -> str:
    """The e-mail's text for the detail the witness chose (``letter``: the summary; the letter
    itself is attached)."""
    lines = [gettext("Hello,"), ""]
    if detail is EmailDetail.call_me:
        lines.append(gettext("You have news from your support officer."))
        lines.append(call_back(facts))
    else:
        lines.append(what_happened(facts))
        if detail is EmailDetail.letter:
            lines.append(gettext("The letter attached says more."))
        lines.append("")
        lines.append(gettext("If you have questions or feel unsafe:") + " " + call_back(facts))
    lines += [
        "",
        gettext("If you no longer want these messages, tell your support officer."),
    ]
    return "\n".join(lines) + "\n"
