"""What the witness is told, in plain words and in their language: one sentence per event kind
(for an e-mail's summary and a call's script), and the e-mail bodies by the detail the witness
chose. Pure: no database, no request; call inside ``core.i18n.in_language(code)``.

The words are discreet: no offence, no trafficking, no prosecution. The e-mail may be read by
someone else (a shared mailbox), so "call me" says only that there is news."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale

from witness.core.i18n import format_day, gettext
from witness.notify.models import EmailDetail
from witness.outcomes.models import EventKind, EventResult

#: what happened, one plain sentence per event kind (called inside ``in_language``: plain
#: ``gettext`` in a lambda, which ``pybabel extract`` sees, where ``lazy_gettext`` it does not)
WHAT_HAPPENED = {
    EventKind.plea: lambda: gettext("The person accused has told the court how they plead."),
    EventKind.verdict: lambda: gettext("The court has reached its decision."),
    EventKind.sentence: lambda: gettext("The court has decided the sentence."),
    EventKind.discontinued: lambda: gettext(
        "The case against the person accused has been stopped."
    ),
    EventKind.appeal_lodged: lambda: gettext("An appeal has been made against the decision."),
    EventKind.appeal_heard: lambda: gettext("The appeal has been heard."),
    EventKind.appeal_decided: lambda: gettext("The appeal has been decided."),
    EventKind.retrial_ordered: lambda: gettext("There will be a new trial."),
    EventKind.remanded: lambda: gettext("The person accused is being held in custody."),
    EventKind.bailed: lambda: gettext("The person accused has been released on conditions."),
    EventKind.bail_varied: lambda: gettext("The conditions on the person accused have changed."),
    EventKind.transferred: lambda: gettext("The person has been moved to another place."),
    EventKind.parole_eligible: lambda: gettext("The person may now ask to be released early."),
    EventKind.parole_hearing: lambda: gettext("A hearing about early release has been set."),
    EventKind.release_date_set: lambda: gettext("There is a date when the person may be released."),
    EventKind.released: lambda: gettext("The person has been released."),
    EventKind.temporary_release: lambda: gettext("The person has been let out for a short time."),
    EventKind.escaped: lambda: gettext("The person has escaped. Your safety comes first."),
    EventKind.absconded: lambda: gettext("The person has broken their conditions and left."),
    EventKind.recaptured: lambda: gettext("The person is back in custody."),
    EventKind.deported: lambda: gettext("The person has been sent out of the country."),
    EventKind.died: lambda: gettext("The person has died."),
}

#: what a verdict or appeal decided, when it says
RESULTS = {
    EventResult.guilty: lambda: gettext("The decision is: guilty."),
    EventResult.not_guilty: lambda: gettext("The decision is: not guilty."),
    EventResult.no_verdict: lambda: gettext("The court could not reach a decision."),
    EventResult.appeal_allowed: lambda: gettext("The appeal was accepted."),
    EventResult.appeal_dismissed: lambda: gettext("The appeal was refused."),
    EventResult.sentence_varied: lambda: gettext("The sentence was changed."),
    EventResult.conviction_quashed: lambda: gettext("The guilty decision was cancelled."),
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
    said = WHAT_HAPPENED.get(facts.kind)
    parts = [said() if said else gettext("There is news in your case.")]
    if facts.result is not None and facts.result in RESULTS:
        parts.append(RESULTS[facts.result]())
    if facts.effective is not None:
        day = format_day(facts.effective, str(get_locale() or "en"))
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


#: the standard subject of an e-mail carrying news (``WITNESS_NOTIFY_MAIL_SUBJECT``'s default)
STANDARD_SUBJECT = "A message for you"


def subject(configured: str = "") -> str:
    """The subject of an e-mail carrying news, in the current language: the standard one
    translated, or the office's own (``WITNESS_NOTIFY_MAIL_SUBJECT``) as it was written."""
    if not configured or configured == STANDARD_SUBJECT:
        return gettext("A message for you")
    return configured
