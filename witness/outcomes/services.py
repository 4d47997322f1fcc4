"""Recording what happened in a case and to its defendants, and correcting it.

``record_event`` checks who may record (``access_after.can_record_outcome``), reads the
kind's columns (``rules.event_columns``), writes the event and its audit row, keeps the
defendant's custody status and expected release date in step with the events, and makes a
notification task for every victim entitled to hear it (``notify.tasks``). A verdict, or the
case discontinued, raises news for each witness and, once no defendant awaits a verdict,
moves the case's open participations to post-trial with the reason. A post naming its
``source_system`` and ``external_id`` is idempotent (``post_event``). ``correct_event``
records a new event superseding the old; the old one's open tasks are cancelled and the
witnesses are told the corrected news.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event as audit_event
from witness.auth.models import User
from witness.cases.models import Case, CustodyStatus, Defendant
from witness.core.access import require
from witness.core.access_after import can_record_outcome
from witness.core.errors import DomainError
from witness.core.i18n import gettext, in_english
from witness.core.text import clean_text
from witness.notify.models import News, NewsKind
from witness.notify.tasks import cancel_open_tasks, create_tasks_for_event
from witness.outcomes import rules
from witness.outcomes.custody import picture
from witness.outcomes.models import EventKind, EventResult, EventSource, OutcomeEvent
from witness.people.models import Participation, Phase
from witness.people.services import change_phase
from witness.risk import triggers as risk_triggers

REFUSAL = "Only the case office's staff and its court or prison systems record case events."
#: events that end the trial: the case's witnesses move to post-trial and hear the news
ENDS_TRIAL = frozenset({EventKind.verdict, EventKind.discontinued})


class EventConflict(DomainError):
    """The same source and external id were posted before with other content (409)."""


def _source(value) -> EventSource:
    return rules._enum(EventSource, value, "source", "Choose where the news came from.")


def _check_defendant(case: Case, defendant: Defendant | None, kind: EventKind) -> None:
    if defendant is None:
        if kind is not EventKind.discontinued:
            raise DomainError(gettext("Choose the defendant."), field="defendant_id")
    elif defendant.case_id != case.id:
        raise DomainError(gettext("That defendant is not in this case."), field="defendant_id")


def _posted(session: Session, source_system: str | None, external_id: str | None):
    if not external_id:
        return None
    return session.scalar(
        select(OutcomeEvent).where(
            OutcomeEvent.source_system == source_system, OutcomeEvent.external_id == external_id
        )
    )


def _ids(source_system, external_id) -> tuple[str | None, str | None]:
    external = clean_text(external_id or "", "external_id", max_length=120) or None
    system = clean_text(source_system or "", "source_system", max_length=80) or None
    if external and not system:
        raise DomainError(
            gettext("Name the system the external id belongs to."), field="source_system"
        )
    return system, external


def post_event(
    session: Session,
    actor: User,
    *,
    case: Case,
    defendant: Defendant | None,
    kind,
    effective_date,
    source,
    source_system: str | None = None,
    external_id: str | None = None,
    **fields,
) -> tuple[OutcomeEvent, bool]:
    """``record_event``, idempotent by ``source_system`` + ``external_id``: the same post again
    answers the first event and ``False`` (nothing changes); the same ids with other content
    raise ``EventConflict``. Returns the event and whether it was created now."""
    require(can_record_outcome(actor, case), REFUSAL)
    kind = rules.kind_of(kind)
    effective_date = rules.read_date(effective_date, "effective_date")
    source = _source(source)
    _check_defendant(case, defendant, kind)
    columns = rules.event_columns(kind, effective_date, fields)
    source_system, external_id = _ids(source_system, external_id)
    earlier = _posted(session, source_system, external_id)
    if earlier is not None:
        same = (
            earlier.case_id == case.id
            and earlier.defendant_id == (defendant.id if defendant else None)
            and (earlier.kind, earlier.effective_date, earlier.source)
            == (kind, effective_date, source)
            and rules.same_columns(earlier, columns)
        )
        if not same or not can_record_outcome(actor, earlier.case):
            raise EventConflict(
                gettext(
                    "%(source_system)s already posted an event with the id %(external_id)s, with "
                    "other content. Post a correction, or use a new id.",
                    source_system=source_system,
                    external_id=repr(external_id),
                ),
                field="external_id",
            )
        return earlier, False
    event = OutcomeEvent(
        case_id=case.id,
        defendant_id=defendant.id if defendant else None,
        kind=kind,
        effective_date=effective_date,
        source=source,
        source_system=source_system,
        external_id=external_id,
        recorded_by_id=actor.id,
        **columns,
    )
    session.add(event)
    session.flush()
    _after_recording(session, actor, event)
    return event, True


def record_event(
    session: Session,
    actor: User,
    *,
    case: Case,
    defendant: Defendant | None,
    kind,
    effective_date,
    source,
    **fields,
) -> OutcomeEvent:
    """Record an outcome or custody event of ``case`` (and ``defendant``), with the columns its
    kind needs (``rules``); audited; the entitled victims get notification tasks; a verdict
    moves the case's witnesses to post-trial. See ``post_event`` for ``source_system`` and
    ``external_id``."""
    return post_event(
        session,
        actor,
        case=case,
        defendant=defendant,
        kind=kind,
        effective_date=effective_date,
        source=source,
        **fields,
    )[0]


def _after_recording(session: Session, actor: User, event: OutcomeEvent, **audit) -> None:
    session.refresh(event)
    audit_event(
        session,
        actor,
        "outcome_event.correct" if event.supersedes_id else "outcome_event.record",
        event,
        case_id=event.case_id,
        defendant_id=event.defendant_id,
        kind=event.kind.value,
        effective_date=event.effective_date.isoformat(),
        source=event.source.value,
        source_system=event.source_system,
        external_id=event.external_id,
        **audit,
    )
    if event.defendant is not None:
        sync_defendant(session, event.defendant)
    if event.kind in ENDS_TRIAL:
        _end_trial(session, actor, event)
    create_tasks_for_event(session, event)
    risk_triggers.outcome_recorded(session, actor, event)


@in_english
def summary(event: OutcomeEvent) -> str:
    """One line for staff: "Verdict recorded on 02 Mar 2026: Guilty on <charge>"."""
    when = f"{event.effective_date:%d %b %Y}"
    if event.kind is EventKind.verdict:
        return f"Verdict recorded on {when}: {event.result.label} on {event.charge}"
    who = f" against {event.defendant.name}" if event.defendant else ""
    return f"Case discontinued{who} on {when}"


def awaiting_verdict(session: Session, case_id: int) -> list[Defendant]:
    """The case's defendants whose trial is not over: no standing (uncorrected) verdict of
    guilty or not guilty and no discontinuance, for them or for the whole case. A jury that
    could not agree ends nothing: a retrial may follow."""
    superseded = select(OutcomeEvent.supersedes_id).where(OutcomeEvent.supersedes_id.is_not(None))
    standing = select(OutcomeEvent.defendant_id).where(
        OutcomeEvent.case_id == case_id,
        OutcomeEvent.id.not_in(superseded),
        (OutcomeEvent.kind == EventKind.discontinued)
        | (
            (OutcomeEvent.kind == EventKind.verdict)
            & OutcomeEvent.result.in_([EventResult.guilty, EventResult.not_guilty])
        ),
    )
    ended = set(session.scalars(standing))
    if None in ended:  # discontinued against everyone
        return []
    defendants = session.scalars(
        select(Defendant).where(Defendant.case_id == case_id).order_by(Defendant.id)
    )
    return [d for d in defendants if d.id not in ended]


def _end_trial(session: Session, actor: User, event: OutcomeEvent) -> None:
    """Raise news of the outcome for each of the case's witnesses and, once no defendant
    awaits a verdict (``awaiting_verdict``), move every open participation of the case to
    post-trial with the reason: a co-defendant's trial they give evidence in goes on."""
    reason = summary(event)
    if event.supersedes_id:
        reason = f"Corrected: {reason}"
    participations = session.scalars(
        select(Participation)
        .where(
            Participation.case_id == event.case_id,
            Participation.phase.not_in([Phase.post_trial, Phase.closed]),
        )
        .order_by(Participation.id)
    ).all()
    if awaiting_verdict(session, event.case_id):
        participations = []
    for participation in participations:
        change_phase(session, actor, participation, Phase.post_trial, reason, after_verdict=True)
    witness_ids = session.scalars(
        select(Participation.witness_id).where(Participation.case_id == event.case_id).distinct()
    ).all()
    session.add_all(
        News(witness_id=wid, case_id=event.case_id, kind=NewsKind.case_outcome, summary=reason)
        for wid in sorted(witness_ids)
    )
    session.flush()


def sync_defendant(session: Session, defendant: Defendant) -> None:
    """Keep the defendant's custody status and expected release date (shown on the case page,
    read by letters) as the latest standing events say."""
    current = picture(session, defendant)
    changed = {}
    if current.custody_status is not None and current.custody_status != defendant.custody_status:
        changed["custody_status"] = current.custody_status
    if current.release_known and current.expected_release != defendant.expected_release_date:
        changed["expected_release_date"] = current.expected_release
    for name, value in changed.items():
        setattr(defendant, name, value)
    if changed:
        session.flush()
        audit_event(
            session,
            None,
            "defendant.update",
            defendant,
            case_id=defendant.case_id,
            **{k: (v.value if isinstance(v, CustodyStatus) else v) for k, v in changed.items()},
        )


def _copied(event: OutcomeEvent) -> dict:
    return {name: getattr(event, name) for name in rules.COLUMNS}


def correct_event(
    session: Session,
    actor: User,
    event: OutcomeEvent,
    *,
    reason: str,
    **fields,
) -> OutcomeEvent:
    """Correct ``event``: a new event superseding it, with ``fields`` changed (``kind``,
    ``effective_date``, ``source``, ``defendant``, any column) and the rest copied, and the
    reason kept. The old event's open tasks are cancelled; the witnesses get tasks to hear the
    corrected news. An event is corrected once: correct the latest."""
    require(can_record_outcome(actor, event.case), REFUSAL)
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if not reason:
        raise DomainError(gettext("Say why the event is corrected."), field="reason")
    if session.scalar(select(OutcomeEvent.id).where(OutcomeEvent.supersedes_id == event.id)):
        raise DomainError(
            gettext("This event was already corrected: correct the latest version."), field="reason"
        )
    kind = rules.kind_of(fields.pop("kind", event.kind))
    effective_date = rules.read_date(
        fields.pop("effective_date", event.effective_date), "effective_date"
    )
    source = _source(fields.pop("source", event.source))
    defendant = fields.pop("defendant", event.defendant)
    _check_defendant(event.case, defendant, kind)
    given = _copied(event) | fields
    # a kind changed by the correction keeps only what the new kind takes
    given = {k: v for k, v in given.items() if k in rules.TAKES[kind] | {"note"} or k in fields}
    columns = rules.event_columns(kind, effective_date, given)
    if (kind, effective_date, source, defendant) == (
        event.kind,
        event.effective_date,
        event.source,
        event.defendant,
    ) and rules.same_columns(event, columns):
        raise DomainError(gettext("Nothing was changed: change what was wrong."), field="reason")
    correction = OutcomeEvent(
        case_id=event.case_id,
        defendant_id=defendant.id if defendant else None,
        kind=kind,
        effective_date=effective_date,
        source=source,
        recorded_by_id=actor.id,
        supersedes_id=event.id,
        correction_reason=reason,
        **columns,
    )
    session.add(correction)
    session.flush()
    cancel_open_tasks(session, reason=f"Corrected by event {correction.id}", event_id=event.id)
    _after_recording(session, actor, correction, supersedes=event.id, reason=reason)
    if event.defendant is not None and event.defendant is not defendant:
        sync_defendant(session, event.defendant)
    return correction
