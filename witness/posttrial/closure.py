"""Closing a witness's part in a case: a checklist derived from what is recorded (nothing is
stored), and "Close", which moves the participation to closed through
``people.services.change_phase`` only when every item is done, or when a supervisor overrides
with a reason (audited, naming what was outstanding)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Case
from witness.core.access import can_manage_witness, require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.ledger.models import SupportApproval, SupportItem
from witness.notify.models import NotificationTask, TaskStatus
from witness.outcomes.models import EventKind, EventResult, OutcomeEvent, SentenceKind
from witness.outcomes.services import awaiting_verdict
from witness.people.models import Participation, Phase, PhaseTransition, Witness
from witness.people.services import change_phase
from witness.posttrial import letters, queries
from witness.posttrial.models import ClaimStatus, PropertyStatus, StatementStatus

#: who may close with items still open, giving the reason
OVERRIDERS = frozenset({Role.supervisor, Role.admin})
#: the news of the trial's outcome that the witness must have been told
OUTCOME_NEWS = (EventKind.verdict, EventKind.sentence, EventKind.discontinued)
CLAIM_RESOLVED = (ClaimStatus.paid, ClaimStatus.refused, ClaimStatus.withdrawn)
PROPERTY_RESOLVED = (PropertyStatus.returned, PropertyStatus.retained, PropertyStatus.destroyed)
STATEMENT_RESOLVED = (StatementStatus.considered, StatementStatus.declined)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    done: bool
    detail: str


def _outcome_told(session: Session, witness: Witness, case: Case) -> Check:
    """The outcome is known (the case discontinued, or a verdict; a guilty one needs its
    sentence) and every task to tell the witness of it is done (or cancelled: they opted
    out, or the event was corrected)."""
    label = gettext("Verdict and sentence told")
    verdicts = list(session.scalars(queries.current_events(EventKind.verdict, case.id)))
    discontinued = session.scalar(queries.current_events(EventKind.discontinued, case.id))
    if not verdicts and discontinued is None:
        return Check("outcome_told", label, False, gettext("No verdict is recorded yet."))
    waiting = awaiting_verdict(session, case.id)
    if waiting:
        names = ", ".join(d.name for d in waiting)
        return Check(
            "outcome_told",
            label,
            False,
            gettext("No verdict is recorded yet for %(names)s.", names=names),
        )
    sentenced = {e.defendant_id for e in queries.sentence_events(session, case.id)}
    whole_case = None in sentenced  # a sentence recorded without a defendant covers them all
    unsentenced = [
        v
        for v in verdicts
        if v.result is EventResult.guilty and v.defendant_id not in sentenced and not whole_case
    ]
    if unsentenced:
        who = ", ".join(v.defendant.name for v in unsentenced if v.defendant is not None)
        detail = f"Guilty: no sentence is recorded yet{f' for {who}' if who else ''}."
        return Check("outcome_told", label, False, detail)
    untold = session.scalar(
        select(func.count(NotificationTask.id))
        .join(OutcomeEvent, OutcomeEvent.id == NotificationTask.event_id)
        .where(
            NotificationTask.witness_id == witness.id,
            NotificationTask.case_id == case.id,
            OutcomeEvent.kind.in_(OUTCOME_NEWS),
            NotificationTask.status == TaskStatus.open,
        )
    )
    if untold:
        return Check(
            "outcome_told",
            label,
            False,
            gettext("%(untold)s notification(s) not yet done.", untold=untold),
        )
    return Check("outcome_told", label, True, gettext("Told."))


def _release_arranged(session: Session, case: Case) -> Check:
    """A custodial sentence needs an expected release date (or the release itself) known;
    a non-custodial one, or no sentence, needs nothing."""
    label = gettext("Release notifications arranged")
    sentence = session.scalar(queries.current_events(EventKind.sentence, case.id))
    if sentence is None or sentence.sentence_kind is not SentenceKind.custody:
        return Check("release", label, True, gettext("No prison sentence."))
    if sentence.release_date is not None:
        return Check(
            "release",
            label,
            True,
            gettext("Expected release %(release_date)s.", release_date=sentence.release_date),
        )
    known = session.scalar(
        select(OutcomeEvent.id)
        .where(
            OutcomeEvent.case_id == case.id,
            OutcomeEvent.kind.in_((EventKind.release_date_set, EventKind.released)),
        )
        .limit(1)
    )
    if known is not None:
        return Check("release", label, True, gettext("A release date is recorded."))
    return Check("release", label, False, gettext("Prison sentence: no expected release date yet."))


def _matters(matters: queries.Matters) -> list[Check]:
    statement = matters.statements[-1] if matters.statements else None
    if statement is None:
        stated = Check(
            "statement", gettext("Impact statement resolved"), False, gettext("Not offered yet.")
        )
    else:
        stated = Check(
            "statement",
            gettext("Impact statement resolved"),
            statement.status in STATEMENT_RESOLVED,
            statement.status.label,
        )
    open_claims = [c for c in matters.claims if c.status not in CLAIM_RESOLVED]
    claims = Check(
        "compensation",
        gettext("Compensation resolved"),
        not open_claims,
        gettext("%(len)s claim(s) open.", len=len(open_claims))
        if open_claims
        else gettext("Resolved or none claimed."),
    )
    waiting = [p for p in matters.property if p.status not in PROPERTY_RESOLVED]
    held = Check(
        "property",
        gettext("Property resolved"),
        not waiting,
        gettext("%(len)s item(s) not yet returned or disposed of.", len=len(waiting))
        if waiting
        else gettext("All returned or disposed of, or none held."),
    )
    return [stated, claims, held]


def _no_open_tasks(session: Session, witness: Witness, case: Case) -> Check:
    count = session.scalar(
        select(func.count(NotificationTask.id)).where(
            NotificationTask.witness_id == witness.id,
            NotificationTask.case_id == case.id,
            NotificationTask.status == TaskStatus.open,
        )
    )
    return Check(
        "tasks",
        gettext("No open notification tasks"),
        not count,
        gettext("%(count)s open.", count=count) if count else gettext("None open."),
    )


def _ledger_approved(session: Session, witness: Witness, case: Case) -> Check:
    """No item awaits its approval (a reversed item, and a reversal, await nothing)."""
    reversal = select(SupportItem.reverses_id).where(SupportItem.reverses_id.is_not(None))
    pending = session.scalar(
        select(func.count(SupportItem.id)).where(
            SupportItem.witness_id == witness.id,
            SupportItem.case_id == case.id,
            SupportItem.needs_approval.is_(True),
            SupportItem.reverses_id.is_(None),
            SupportItem.id.not_in(reversal),
            ~exists().where(SupportApproval.item_id == SupportItem.id),
        )
    )
    return Check(
        "ledger",
        gettext("Support ledger items all approved"),
        not pending,
        gettext("%(pending)s awaiting approval.", pending=pending)
        if pending
        else gettext("All approved."),
    )


def closure_checklist(
    session: Session, witness: Witness, case: Case, matters: queries.Matters | None = None
) -> list[Check]:
    """What must be done before the witness's part in the case is closed, each derived from
    the records now."""
    matters = matters or queries.matters_of(session, witness.id, case.id)
    return [
        _outcome_told(session, witness, case),
        *_matters(matters),
        _release_arranged(session, case),
        _no_open_tasks(session, witness, case),
        _ledger_approved(session, witness, case),
    ]


def close_participation(
    session: Session,
    actor: User,
    witness: Witness,
    case: Case,
    reason: str,
    *,
    override: bool = False,
) -> PhaseTransition:
    """Close the witness's part in the case (phase closed, by the phase rules) when every
    checklist item is done; a supervisor may close with items open, overriding with the
    reason, which is audited with what was outstanding. The witness is told by letter."""
    require(can_manage_witness(actor, witness))
    participation: Participation | None = queries.participation_of(session, witness.id, case.id)
    if participation is None:
        raise DomainError(
            gettext(
                "%(reference)s is not a witness in case %(reference2)s.",
                reference=witness.reference,
                reference2=case.reference,
            )
        )
    if participation.phase is Phase.closed:
        raise DomainError(gettext("This witness's part in the case is already closed."))
    outstanding = [c for c in closure_checklist(session, witness, case) if not c.done]
    if outstanding and not override:
        raise DomainError(
            "Not closed: "
            + "; ".join(f"{c.label.lower()} ({c.detail})" for c in outstanding)
            + ". Finish these first, or ask a supervisor to override with a reason.",
        )
    if outstanding and actor.role not in OVERRIDERS:
        raise DomainError(
            gettext("Only a supervisor may close with checklist items outstanding."),
            field="override",
        )
    if override and not (reason or "").strip():
        raise DomainError(gettext("Give the reason for overriding the checklist."), field="reason")
    transition = change_phase(session, actor, participation, Phase.closed, reason)
    if outstanding:
        record_event(
            session,
            actor,
            "posttrial.closure_override",
            participation,
            witness_id=witness.id,
            case_id=case.id,
            reason=transition.reason,
            outstanding=[c.key for c in outstanding],
        )
    else:
        record_event(
            session,
            actor,
            "posttrial.closed",
            participation,
            witness_id=witness.id,
            case_id=case.id,
        )
    letters.tell(session, actor, witness, case, "case_closed", {})
    return transition
