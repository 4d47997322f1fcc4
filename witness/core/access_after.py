"""Need to know for what follows a trial: outcomes and custody events, notification tasks,
letters, contact preferences and calls. The same rules as ``core.access`` (whose clauses and
loaders these build on), kept apart so each module stays readable; a refusal is an audited
``NotFound`` here too."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, cast, exists, false, or_, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Case
from witness.core.access import (
    LOADERS,
    can_edit_case,
    can_manage_witness,
    can_see_identity,
    current_preference,
    notification_refusal,
    via_witness,
    visible_cases,
    visible_witnesses,
)
from witness.core.errors import NotFound
from witness.letters.models import Letter
from witness.notify.models import (
    ContactPreference,
    NotificationTask,
    WithheldReason,
    preferred_address,
)
from witness.outcomes.models import EventKind, OutcomeEvent
from witness.people.models import (
    Channel,
    Witness,
)
from witness.protection.models import ProtectionAction

# --- letters ---------------------------------------------------------------------------------

#: who prints an office's letters and marks them posted or returned
PRINT_ROLES = frozenset({Role.admin, Role.supervisor, Role.liaison_officer})


def get_letter(session: Session, actor: User, letter_id: int) -> Letter:
    """A letter is seen by whoever may see its witness; otherwise an audited ``NotFound``."""
    return via_witness(session, actor, Letter, letter_id, "letter")


def can_post_letter(actor: User, letter: Letter) -> bool:
    """Mark posted or returned: the sending office's staff."""
    return actor.role in PRINT_ROLES and actor.organisation_id == letter.organisation_id


LOADERS[Letter] = get_letter


# --- post-trial ----------------------------------------------------------------------------------


def posttrial_letter_refusal(session: Session, witness: Witness) -> WithheldReason | None:
    """Why a letter about a post-trial matter (impact statement, compensation, property, the
    case's closing) must not be queued for the witness now, or None: the rule its print run
    asks again (``letter_refusal``), by post to the preferences' safe address (else the
    file's), as news of a key stage (a sentence's): consent to post, not opted out,
    post still among the chosen channels, an address to write to."""
    preference = current_preference(session, witness.id)
    address = preferred_address(preference, witness, Channel.post.value)
    return notification_refusal(session, witness, Channel.post, address, EventKind.sentence)


# --- outcomes ------------------------------------------------------------------------------------
# Outcome and custody events are about the case and its defendants: whoever may see the case
# reads them (an NGO worker sees a case only through a witness who shares with their
# organisation, ``visible_cases``). A court's or prison's system account (``Role.system``) sees
# no witness at all; it reads and posts the events of its own office's cases only.


def can_record_outcome(actor: User, case: Case) -> bool:
    """Record or correct an event: the case office's staff who manage it (liaison officers,
    supervisors, the prosecutor, administrators) and the office's system accounts; never an NGO
    worker."""
    if actor.role is Role.system:
        return actor.organisation_id == case.organisation_id
    return can_edit_case(actor, case)


def outcome_cases(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the cases whose events ``actor`` may read."""
    if actor.role is Role.system:
        return Case.organisation_id == actor.organisation_id
    return visible_cases(actor)


def get_outcome_case(session: Session, actor: User, case_id: int) -> Case:
    """The case if ``actor`` may read its events; otherwise the refusal is audited and
    ``NotFound`` raised."""
    case = session.scalar(select(Case).where(Case.id == case_id, outcome_cases(actor)))
    if case is None:
        record_event(session, actor, "case.refused", object_type="case", object_id=case_id)
        raise NotFound("No such case.")
    return case


def get_outcome_event(session: Session, actor: User, event_id: int) -> OutcomeEvent:
    """The event if ``actor`` may read its case; otherwise audited ``NotFound``."""
    event = session.scalar(
        select(OutcomeEvent)
        .join(Case, Case.id == OutcomeEvent.case_id)
        .where(OutcomeEvent.id == event_id, outcome_cases(actor))
    )
    if event is None:
        record_event(
            session, actor, "outcome_event.refused", object_type="outcome_event", object_id=event_id
        )
        raise NotFound("No such event.")
    return event


# --- notification tasks -------------------------------------------------------------------------


def _prefers_via_ngo(org_id: int) -> ColumnElement[bool]:
    """The witness's preferences in force name telling through an NGO, and that NGO is
    ``org_id`` (or none is named). ``channels`` is a JSON list: its text holds ``"via_ngo"``."""
    return exists().where(
        ContactPreference.witness_id == NotificationTask.witness_id,
        ContactPreference.is_current.is_(True),
        cast(ContactPreference.channels, String).contains('"via_ngo"'),
        or_(
            ContactPreference.ngo_organisation_id.is_(None),
            ContactPreference.ngo_organisation_id == org_id,
        ),
    )


def visible_tasks(actor: User) -> ColumnElement[bool]:
    """SQL condition on ``NotificationTask`` (joined to its ``Witness``): the tasks ``actor``
    may see — an officer their witnesses', a supervisor or administrator their office's (and
    those of files shared with it), an NGO worker those of witnesses who share with them and
    chose to be told through their NGO. A prosecutor tells nobody: none."""
    match actor.role:
        case Role.admin | Role.supervisor | Role.liaison_officer:
            return visible_witnesses(actor)
        case Role.ngo_worker:
            return and_(visible_witnesses(actor), _prefers_via_ngo(actor.organisation_id))
    return false()


def get_notification_task(session: Session, actor: User, task_id: int) -> NotificationTask:
    """The task if ``actor`` may see it (``visible_tasks``); otherwise audit the refusal and
    raise ``NotFound``."""
    task = session.scalar(
        select(NotificationTask)
        .join(Witness, Witness.id == NotificationTask.witness_id)
        .where(NotificationTask.id == task_id, visible_tasks(actor))
    )
    if task is None:
        witness_id = session.scalar(
            select(NotificationTask.witness_id).where(NotificationTask.id == task_id)
        )
        record_event(
            session,
            actor,
            "notification_task.refused",
            object_type="notification_task",
            object_id=task_id,
            witness_id=witness_id,
        )
        raise NotFound("No such task.")
    return task


def can_record_task_attempt(actor: User, task: NotificationTask, channel: Channel) -> bool:
    """Record telling a witness in person or through their NGO: the owning office's staff, and
    an NGO worker who sees the task for what they told through their NGO."""
    if can_manage_witness(actor, task.witness):
        return True
    return actor.role is Role.ngo_worker and channel is Channel.via_ngo


def can_cancel_task(actor: User, task: NotificationTask) -> bool:
    """Cancel a task (the witness need not be told after all): a supervisor of the office."""
    return actor.role is Role.supervisor and actor.organisation_id == task.witness.organisation_id


def can_read_compliance(actor: User) -> bool:
    """The office's compliance report: supervisors, administrators, prosecutors (to read)."""
    return actor.role in (Role.admin, Role.supervisor, Role.prosecutor)


LOADERS[NotificationTask] = get_notification_task
# --- contact preferences and calls -------------------------------------------------------------

#: who works the call list: the office's officers and supervisors
CALLERS = frozenset({Role.liaison_officer, Role.supervisor})


def can_read_preferences(session: Session, actor: User, witness: Witness) -> bool:
    """A witness's contact preferences hold their safe address and phone: the owning office,
    and NGO workers the witness shares their identity with (read only)."""
    return can_manage_witness(actor, witness) or (
        actor.role is Role.ngo_worker and can_see_identity(session, actor, witness)
    )


def can_call(actor: User, witness: Witness) -> bool:
    """Call the witness with their news and log the call: the owning office's officers and
    supervisors (an officer sees only the witnesses assigned to them)."""
    return actor.organisation_id == witness.organisation_id and actor.role in CALLERS


# --- the protection plan ---------------------------------------------------------------------


def get_protection_action(session: Session, actor: User, action_id: int) -> ProtectionAction:
    """An action of a witness's protection plan: seen by who sees the witness (an NGO worker
    only under a current sharing consent); else ``protection_action.refused`` and NotFound."""
    return via_witness(session, actor, ProtectionAction, action_id, "protection action")


def can_change_protection_action(actor: User, action: ProtectionAction) -> bool:
    """The owning office changes any action of the plan; the owner of an action (a member of
    staff, or a worker of the partner organisation that owns it) moves it on."""
    if can_manage_witness(actor, action.witness):
        return True
    return action.owner_user_id == actor.id or (
        actor.role is Role.ngo_worker and action.owner_organisation_id == actor.organisation_id
    )


# --- the witness's own data ------------------------------------------------------------------


def can_answer_data_request(actor: User, witness: Witness) -> bool:
    """Record a witness's access or correction request and hand them their data: a supervisor
    of the owning office, or the officer assigned to them (an officer sees only the witnesses
    assigned to them). Not an administrator (who runs accounts, not files), nor a partner."""
    same_office = actor.organisation_id == witness.organisation_id
    return same_office and actor.role in (Role.supervisor, Role.liaison_officer)


LOADERS[ProtectionAction] = get_protection_action
