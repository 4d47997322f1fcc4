"""Changing a witness's protection plan: add an action, move it on or close it, and record the
consultation with the witness that makes the revised plan agreed.

Who: the witness's office changes anything; an action's owner (a member of staff, or a worker
of the partner organisation that owns it) moves their own action on
(``access_after.can_change_protection_action``). Every change is audited. Services never
commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Organisation, Role, User
from witness.core.access import can_manage_witness, require, sharing_organisations
from witness.core.access_after import can_change_protection_action
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc, today_in
from witness.notify.queries import office_timezone
from witness.people.models import Witness
from witness.protection.models import (
    ActionKind,
    ActionStatus,
    ConsultationMethod,
    PlanConsultation,
    ProtectionAction,
)
from witness.risk.models import RiskAssessment
from witness.risk.queries import current_assessment

REFUSAL = "Only the witness's office changes the protection plan."
#: how far ahead a due date may be set
LATEST_DUE = date(2100, 12, 31)
OWNER_ROLES = (Role.liaison_officer, Role.supervisor, Role.admin, Role.ngo_worker)


@dataclass(frozen=True)
class Owner:
    """Who carries an action out: exactly one of a user, an organisation, or a name."""

    user_id: int | None = None
    organisation_id: int | None = None
    other: str = ""


def parse_owner(value: str, other: str = "") -> Owner:
    """The owner field's value: ``user:<id>``, ``org:<id>`` or ``other`` (with ``other``)."""
    kind, _, ident = (value or "").partition(":")
    if kind in ("user", "org") and ident.isascii() and ident.isdigit() and len(ident) < 12:
        return Owner(user_id=int(ident)) if kind == "user" else Owner(organisation_id=int(ident))
    if kind == "other":
        name = clean_text(other, "owner_other", max_length=200)
        if not name:
            raise DomainError(gettext("Name who carries this action out."), field="owner_other")
        return Owner(other=name)
    raise DomainError(gettext("Choose who carries this action out."), field="owner")


def owner_options(session: Session, witness: Witness) -> list[tuple[str, str]]:
    """The owners an action may have: staff of the witness's office, the partner
    organisations the witness shares the file with and their workers, or someone else."""
    shared = list(session.scalars(sharing_organisations(witness.id)))
    users = session.execute(
        select(User.id, User.name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.is_enabled.is_(True),
            User.role.in_(OWNER_ROLES),
            (User.organisation_id == witness.organisation_id)
            | ((User.organisation_id.in_(shared)) & (User.role == Role.ngo_worker)),
        )
        .order_by(Organisation.name, User.name)
    ).all()
    organisations = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(shared))
        .order_by(Organisation.name)
    ).all()
    return (
        [(f"user:{uid}", f"{name} ({org})") for uid, name, org in users]
        + [(f"org:{oid}", name) for oid, name in organisations]
        + [("other", "Someone else (name them)")]
    )


def _check_owner(session: Session, witness: Witness, owner: Owner) -> None:
    allowed = {value for value, _ in owner_options(session, witness)}
    if owner.user_id is not None and f"user:{owner.user_id}" not in allowed:
        raise DomainError(
            gettext("Choose a member of the witness's office or of a partner they share with."),
            field="owner",
        )
    if owner.organisation_id is not None and f"org:{owner.organisation_id}" not in allowed:
        raise DomainError(
            gettext("The witness does not share their file with that organisation."), field="owner"
        )


def _today(session: Session, witness: Witness) -> date:
    return today_in(office_timezone(session, witness.organisation_id))


def _due(session: Session, witness: Witness, value: date | None) -> date | None:
    if value is not None and not (date(1900, 1, 1) <= value <= LATEST_DUE):
        raise DomainError(gettext("Give a due date between 1900 and 2100."), field="due_date")
    return value


def _audit(session: Session, actor: User, action: str, obj, **detail) -> None:
    session.flush()
    record_event(session, actor, f"protection.{action}", obj, witness_id=obj.witness_id, **detail)


def add_action(
    session: Session,
    actor: User,
    witness: Witness,
    *,
    kind: ActionKind,
    owner: Owner,
    detail: str = "",
    due_date: date | None = None,
) -> ProtectionAction:
    """Add an action to the witness's plan (planned, owned, due by ``due_date``)."""
    require(can_manage_witness(actor, witness), REFUSAL)
    if not isinstance(kind, ActionKind):
        raise DomainError(gettext("Choose the kind of action."), field="kind")
    _check_owner(session, witness, owner)
    detail = clean_text(detail, "detail", multiline=True, max_length=2000)
    if kind is ActionKind.other and not detail:
        raise DomainError(gettext("Say what the action is."), field="detail")
    action = ProtectionAction(
        witness_id=witness.id,
        kind=kind,
        detail=detail,
        owner_user_id=owner.user_id,
        owner_organisation_id=owner.organisation_id,
        owner_other=owner.other,
        status=ActionStatus.planned,
        due_date=_due(session, witness, due_date),
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    session.add(action)
    _audit(session, actor, "action_added", action, kind=kind.value, due_date=action.due_date)
    return action


def change_action(
    session: Session,
    actor: User,
    action: ProtectionAction,
    *,
    status: ActionStatus,
    due_date: date | None = None,
    owner: Owner | None = None,
    reason: str = "",
) -> ProtectionAction:
    """Move an action on (its status and due date; its owner, for the office); closing it
    needs the reason. A closed action stays closed: add a new one."""
    require(can_change_protection_action(actor, action), REFUSAL)
    if action.status is ActionStatus.closed:
        raise DomainError(gettext("This action is closed: add a new one instead."), field="status")
    if not isinstance(status, ActionStatus):
        raise DomainError(gettext("Choose the status."), field="status")
    reason = clean_text(reason, "reason", multiline=True, max_length=2000)
    if status is ActionStatus.closed and not reason:
        raise DomainError(gettext("Say why the action is no longer needed."), field="reason")
    before = (action.status, action.due_date, action.owner_label)
    if owner is not None:
        require(can_manage_witness(actor, action.witness), REFUSAL)
        _check_owner(session, action.witness, owner)
        action.owner_user_id, action.owner_organisation_id = owner.user_id, owner.organisation_id
        action.owner_other = owner.other
        session.flush()
        session.refresh(action, ["owner_user", "owner_organisation"])
    action.status = status
    action.due_date = _due(session, action.witness, due_date)
    if status is ActionStatus.closed:
        action.closed_reason = reason
    if before == (action.status, action.due_date, action.owner_label) and not reason:
        raise DomainError(gettext("Nothing was changed."), field="status")
    action.updated_by_id = actor.id
    action.updated_dt = now_utc()
    _audit(
        session,
        actor,
        "action_changed",
        action,
        status=status.value,
        due_date=action.due_date,
        owner=action.owner_label,
        reason=reason,
    )
    return action


def record_consultation(
    session: Session,
    actor: User,
    witness: Witness,
    *,
    consulted_on: date,
    method: ConsultationMethod,
    agreed: str,
    objected: str = "",
    interpreter_language: str = "",
    interpreter_name: str = "",
) -> PlanConsultation:
    """The plan talked through with the witness: what they agreed to (required) and objected
    to. It makes the plan as it stands now the agreed one (``plan_state``)."""
    require(can_manage_witness(actor, witness), REFUSAL)
    if consulted_on is None:
        raise DomainError(gettext("Give the day you talked it through."), field="consulted_on")
    if not date(1900, 1, 1) <= consulted_on <= _today(session, witness):
        raise DomainError(
            gettext("The consultation cannot be in the future."), field="consulted_on"
        )
    if not isinstance(method, ConsultationMethod):
        raise DomainError(gettext("Choose how the plan was talked through."), field="method")
    agreed = clean_text(agreed, "agreed", multiline=True, max_length=4000)
    if not agreed:
        raise DomainError(gettext("Write what the witness agreed to."), field="agreed")
    language = clean_text(interpreter_language, "interpreter_language", max_length=35)
    name = clean_text(interpreter_name, "interpreter_name", max_length=200)
    if name and not language:
        raise DomainError(
            gettext("Give the language the interpreter spoke."), field="interpreter_language"
        )
    consultation = PlanConsultation(
        witness_id=witness.id,
        consulted_on=consulted_on,
        method=method,
        interpreter_language=language,
        interpreter_name=name,
        agreed=agreed,
        objected=clean_text(objected, "objected", multiline=True, max_length=4000),
        recorded_by_id=actor.id,
    )
    session.add(consultation)
    _audit(session, actor, "consulted", consultation, consulted_on=consulted_on.isoformat())
    return consultation


@dataclass(frozen=True)
class PlanState:
    """Whether the plan as it stands was agreed with the witness: a consultation recorded after
    the plan's last change and after the witness's latest completed risk assessment (the plan
    is revised after each assessment, with the witness)."""

    last_change: datetime | None
    last_consultation: PlanConsultation | None
    last_assessment: RiskAssessment | None = None

    @property
    def reassessed_since(self) -> bool:
        """A risk assessment was completed after the plan was last talked through."""
        if self.last_assessment is None or self.last_assessment.completed_dt is None:
            return False
        return (
            self.last_consultation is None
            or self.last_assessment.completed_dt > self.last_consultation.recorded_dt
        )

    @property
    def agreed(self) -> bool:
        if self.last_consultation is None or self.reassessed_since:
            return False
        return self.last_change is None or self.last_consultation.recorded_dt >= self.last_change


def plan_state(session: Session, witness_id: int) -> PlanState:
    last_change = session.scalar(
        select(func.max(ProtectionAction.updated_dt)).where(
            ProtectionAction.witness_id == witness_id
        )
    )
    last = session.scalar(
        select(PlanConsultation)
        .where(PlanConsultation.witness_id == witness_id)
        .order_by(PlanConsultation.recorded_dt.desc(), PlanConsultation.id.desc())
        .limit(1)
    )
    return PlanState(last_change, last, current_assessment(session, witness_id))
