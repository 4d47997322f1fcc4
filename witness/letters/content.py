"""The words of a letter: one template per kind (every ``outcomes.EventKind``, the post-trial
matters, reminders before a date), framed by what every letter says: whom to call, support
services, the appeal possibilities where there are any, and how to stop these letters.

``compose(kind, facts)`` is pure and must run inside ``in_language(letter.language)``: every
string is gettext with named placeholders (``pybabel extract`` finds them), dates and money are
formatted by Babel for that language. ``facts_for_task`` reads the facts of a task's event and
case from the database, dates in the court's calendar."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.core.i18n import gettext
from witness.letters import kinds_after, kinds_court, kinds_custody
from witness.letters.words import Facts, Parts
from witness.notify.models import NotificationTask
from witness.people.models import Assignment

#: every template by kind: each event kind and each post-trial matter
TEMPLATES = {**kinds_court.TEMPLATES, **kinds_custody.TEMPLATES, **kinds_after.TEMPLATES}
#: post-trial matters, which have no event kind
POST_TRIAL_KINDS = frozenset(kinds_after.TEMPLATES)


@dataclass
class LetterContent:
    """A letter's words, in its language, ready for the layout."""

    title: str
    greeting: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    urgent: bool = False


def _appeal(kind: str, f: Facts) -> list[str]:
    deadline = f.date("deadline_date")
    lines = []
    if kind == "sentence":
        lines.append(
            gettext(
                "If you think the sentence is too low, you can ask for it to be looked at "
                "again. This must be done within 28 days of the sentence: call %(officer)s "
                "straight away if you want this.",
                officer=f.officer,
            )
        )
    lines.append(
        gettext(
            "%(defendant)s may appeal. If they do, we will tell you, and the decision stands "
            "until the appeal is decided.",
            defendant=f.defendant,
        )
    )
    if deadline:
        lines.append(gettext("The last day to appeal is %(date)s.", date=deadline))
    return lines


def _contact(f: Facts) -> list[str]:
    line = f.text("safe_line")
    if line:
        call = gettext(
            "Your support officer is %(officer)s. You can call them on %(line)s.",
            officer=f.officer,
            line=line,
        )
    else:
        call = gettext(
            "Your support officer is %(officer)s. You can call them on the number they gave you.",
            officer=f.officer,
        )
    return [
        call,
        gettext("You can ask for an interpreter. You do not have to pay for anything."),
    ]


def _support(f: Facts) -> list[str]:
    lines = [gettext("You do not have to deal with this alone.")]
    if f.text("support_services"):
        lines.append(f.text("support_services"))
    return lines


def _stop(f: Facts) -> list[str]:
    return [
        gettext(
            "You can stop these letters at any time, or ask for news another way (a phone "
            "call, an e-mail, through your support worker): tell %(officer)s. You can change "
            "your mind later.",
            officer=f.officer,
        )
    ]


def parts_for(kind: str, facts: Facts, reminder: str = "") -> Parts:
    """The kind's own words (``KeyError`` for a kind without a template)."""
    parts = TEMPLATES[kind](facts)
    if reminder:
        parts = kinds_after.reminder(facts, reminder, parts)
    return parts


def compose(kind: str, facts: dict, *, reminder: str = "") -> LetterContent:
    """The letter of ``kind`` with ``facts``, in the language gettext is in now."""
    f = Facts(facts)
    parts = parts_for(kind, f, reminder)
    name = f.text("recipient_name")
    content = LetterContent(
        title=parts.title,
        greeting=gettext("Dear %(name)s,", name=name) if name else gettext("Hello,"),
        urgent=parts.urgent,
    )
    sections = [
        (gettext("What has happened"), parts.happened),
        (gettext("What this means for you"), parts.means),
        (gettext("What happens next"), parts.next),
    ]
    if parts.appeal:
        sections.append((gettext("Appeals"), _appeal(kind, f)))
    sections += [
        (gettext("Who to call"), _contact(f)),
        (gettext("Support for you"), _support(f)),
        (gettext("If you do not want these letters"), _stop(f)),
    ]
    content.sections = [(heading, lines) for heading, lines in sections if lines]
    content.closing = [gettext("With best wishes,"), f.officer]
    return content


# --- facts from the database ------------------------------------------------------------------

_EVENT_FIELDS = (
    "charge",
    "sentence_months",
    "sentence_days",
    "suspended_months",
    "compensation_currency",
    "conditions",
    "institution",
)
_EVENT_DATES = ("effective_date", "release_date", "hearing_date", "deadline_date")


def officer_of(session: Session, witness_id: int) -> str:
    """The name of the witness's support officer (their newest current assignment), or ""."""
    assignment = session.scalars(
        select(Assignment)
        .where(Assignment.witness_id == witness_id, Assignment.ended_dt.is_(None))
        .order_by(Assignment.id.desc())
        .limit(1)
    ).first()
    return assignment.user.name if assignment is not None else ""


def facts_for_task(session: Session, task: NotificationTask) -> dict:
    """The facts of ``task``'s event and case a letter tells, as plain values (dates as ISO
    text in the court's calendar, as recorded); the recipient and the contact lines are added
    by the service that makes the letter."""
    event = task.event
    facts: dict = {name: getattr(event, name) for name in _EVENT_FIELDS}
    for name in _EVENT_DATES:
        day = getattr(event, name)
        facts[name] = day.isoformat() if day is not None else None
    facts.update(
        kind=event.kind.value,
        result=event.result.value if event.result else "",
        sentence_kind=event.sentence_kind.value if event.sentence_kind else "",
        orders=list(event.orders or []),
        compensation_amount=(
            str(event.compensation_amount) if event.compensation_amount is not None else None
        ),
        defendant=event.defendant.name if event.defendant is not None else "",
        case_reference=task.case.reference,
        reminder=task.reminder,
        officer_name=officer_of(session, task.witness_id),
    )
    return facts
