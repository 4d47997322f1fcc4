"""Cases and defendants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import (
    Case,
    CaseOffence,
    CaseStatus,
    Court,
    CustodyStatus,
    Defendant,
    OffenceCategory,
)
from witness.core.access import CASE_EDITOR_ROLES, can_edit_case, require, visible_cases
from witness.core.errors import DomainError
from witness.core.i18n import gettext


def _check_reference_free(session: Session, court_id: int, reference: str, case_id: int | None):
    query = select(Case.id).where(Case.court_id == court_id, Case.reference == reference)
    if case_id is not None:
        query = query.where(Case.id != case_id)
    if session.scalar(query) is not None:
        raise DomainError(
            gettext(
                "A case with reference %(reference)s already exists at this court.",
                reference=repr(reference),
            ),
            field="reference",
        )


def find_case(session: Session, actor: User, reference: str, court_id: int | None = None) -> Case:
    """The case the actor may see with this court reference (and court, when several courts
    use the same reference). At national scale cases are found by reference, not picked from a
    list of thousands."""
    query = select(Case).where(Case.reference == reference.strip(), visible_cases(actor))
    if court_id is not None:
        query = query.where(Case.court_id == court_id)
    found = session.scalars(query.limit(2)).all()
    if not found:
        raise DomainError(
            gettext(
                "No case with reference %(strip)s that you can see.", strip=repr(reference.strip())
            ),
            field="case_reference",
        )
    if len(found) > 1:
        raise DomainError(
            gettext(
                "Several courts use the reference %(strip)s: choose the court.",
                strip=repr(reference.strip()),
            ),
            field="court_id",
        )
    return found[0]


def _check_prosecutor(session: Session, actor: User, prosecutor_id: int | None) -> None:
    if prosecutor_id is None:
        return
    prosecutor = session.get(User, prosecutor_id)
    if (
        prosecutor is None
        or prosecutor.role is not Role.prosecutor
        or prosecutor.organisation_id != actor.organisation_id
    ):
        raise DomainError(
            gettext("Choose a prosecutor of your office."), field="lead_prosecutor_id"
        )


def _set_offences(case: Case, categories: Iterable[OffenceCategory]) -> None:
    wanted = set(categories)
    case.offences = [o for o in case.offences if o.category in wanted]
    have = {o.category for o in case.offences}
    case.offences.extend(CaseOffence(category=c) for c in sorted(wanted - have, key=str))


def create_case(
    session: Session,
    actor: User,
    *,
    court_id: int,
    reference: str,
    title: str,
    offences: Iterable[OffenceCategory],
    status: CaseStatus = CaseStatus.investigation,
    lead_prosecutor_id: int | None = None,
    notes: str = "",
) -> Case:
    """Open a case for the actor's office at a court."""
    require(actor.role in CASE_EDITOR_ROLES, "You may not open cases.")
    if session.get(Court, court_id) is None:
        raise DomainError(gettext("Choose a court."), field="court_id")
    _check_reference_free(session, court_id, reference, None)
    if actor.role is Role.prosecutor and lead_prosecutor_id is None:
        lead_prosecutor_id = actor.id
    _check_prosecutor(session, actor, lead_prosecutor_id)
    case = Case(
        organisation_id=actor.organisation_id,
        court_id=court_id,
        reference=reference,
        title=title,
        status=status,
        lead_prosecutor_id=lead_prosecutor_id,
        notes=notes,
    )
    _set_offences(case, offences)
    session.add(case)
    session.flush()
    record_event(session, actor, "case.create", case)
    return case


def update_case(session: Session, actor: User, case: Case, **fields) -> list[str]:
    """Change a case's fields and offences; returns what changed."""
    require(can_edit_case(actor, case))
    court_id = fields.get("court_id", case.court_id)
    reference = fields.get("reference", case.reference)
    if session.get(Court, court_id) is None:
        raise DomainError(gettext("Choose a court."), field="court_id")
    _check_reference_free(session, court_id, reference, case.id)
    if "lead_prosecutor_id" in fields:
        _check_prosecutor(session, actor, fields["lead_prosecutor_id"])
    changed = []
    for name in ("court_id", "reference", "title", "status", "lead_prosecutor_id", "notes"):
        if name in fields and getattr(case, name) != fields[name]:
            setattr(case, name, fields[name])
            changed.append(name)
    if "offences" in fields and set(fields["offences"]) != set(case.offence_categories):
        _set_offences(case, fields["offences"])
        changed.append("offences")
    if changed:
        record_event(session, actor, "case.update", case, fields=changed)
    return changed


def add_defendant(
    session: Session,
    actor: User,
    case: Case,
    name: str,
    custody_status: CustodyStatus,
    expected_release_date: date | None = None,
) -> Defendant:
    require(can_edit_case(actor, case))
    defendant = Defendant(
        case=case,
        name=name,
        custody_status=custody_status,
        expected_release_date=expected_release_date,
    )
    session.add(defendant)
    session.flush()
    record_event(session, actor, "defendant.create", defendant, case_id=case.id)
    return defendant


def update_defendant(session: Session, actor: User, defendant: Defendant, **fields) -> list[str]:
    require(can_edit_case(actor, defendant.case))
    changed = []
    for name in ("name", "custody_status", "expected_release_date"):
        if name in fields and getattr(defendant, name) != fields[name]:
            setattr(defendant, name, fields[name])
            changed.append(name)
    if changed:
        record_event(
            session, actor, "defendant.update", defendant, case_id=defendant.case_id, fields=changed
        )
    return changed
