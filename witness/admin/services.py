"""Reference data and accounts: courts, organisations, users. Administrators only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.second_factor import remove_second_factor
from witness.auth.services import check_new_password, create_user, end_sessions
from witness.auth.tokens import revoke_all_tokens
from witness.cases.models import Court
from witness.core.access import require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.time import is_valid_timezone


def _require_admin(actor: User) -> None:
    require(actor.role is Role.admin, "Only administrators manage courts, organisations and users.")


def _check_timezone(timezone: str) -> None:
    if not is_valid_timezone(timezone):
        raise DomainError(
            gettext(
                "%(timezone)s is not a timezone name. Use an IANA name such as Europe/London.",
                timezone=repr(timezone),
            ),
            field="timezone",
        )


def _check_unique(session: Session, column, value: str, current_id: int | None, field: str):
    query = select(column.class_.id).where(column == value)
    if current_id is not None:
        query = query.where(column.class_.id != current_id)
    if session.scalar(query) is not None:
        raise DomainError(gettext("%(value)s is already in use.", value=repr(value)), field=field)


def save_court(
    session: Session, actor: User, court: Court | None, *, name: str, address: str, timezone: str
) -> Court:
    """Add a court, or change one; hearing times are shown in its timezone."""
    _require_admin(actor)
    _check_timezone(timezone)
    _check_unique(session, Court.name, name, court.id if court else None, "name")
    created = court is None
    if court is None:
        court = Court()
        session.add(court)
    court.name, court.address, court.timezone = name, address, timezone
    session.flush()
    record_event(session, actor, "court.create" if created else "court.update", court)
    return court


def add_organisation(
    session: Session, actor: User, *, name: str, kind: OrganisationKind
) -> Organisation:
    """Add a prosecution office, NGO or court service that users and consents can name."""
    _require_admin(actor)
    _check_unique(session, Organisation.name, name, None, "name")
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    record_event(session, actor, "organisation.create", organisation)
    return organisation


def add_user(
    session: Session, actor: User, *, email: str, name: str, role: Role, password: str
) -> User:
    """Add a user to the administrator's own organisation."""
    _require_admin(actor)
    user = create_user(
        session,
        email=email,
        name=name,
        password=password,
        role=role,
        organisation=actor.organisation,
    )
    record_event(session, actor, "user.create", user, role=role)
    return user


def _require_colleague(actor: User, user: User) -> None:
    _require_admin(actor)
    require(
        user.organisation_id == actor.organisation_id, "That user belongs to another organisation."
    )


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: Role,
    is_enabled: bool,
    password: str | None = None,
) -> list[str]:
    """Change a colleague's name, role or access; an administrator cannot lock themselves out.

    A new password or disabling the account ends every session of the user; disabling also
    revokes their API tokens for good, so re-enabling the account does not bring them back.
    """
    _require_colleague(actor, user)
    if user.id == actor.id and (role is not Role.admin or not is_enabled):
        raise DomainError(gettext("You cannot remove your own administrator access."), field="role")
    changed = [
        field
        for field, value in (("name", name), ("role", role), ("is_enabled", is_enabled))
        if getattr(user, field) != value
    ]
    disabling = user.is_enabled and not is_enabled
    user.name, user.role, user.is_enabled = name, role, is_enabled
    if password:
        check_new_password(password)
        user.set_password(password)
        changed.append("password")
    if password or disabling:
        end_sessions(session, user)
    if disabling:
        revoke_all_tokens(session, actor, user, reason="account disabled")
    if changed:
        record_event(session, actor, "user.update", user, fields=changed)
    return changed


def end_user_sessions(session: Session, actor: User, user: User) -> None:
    """An administrator signs a colleague out of every device at once (a lost phone, a
    shared computer); their API tokens are separate and stay."""
    _require_colleague(actor, user)
    end_sessions(session, user)
    record_event(session, actor, "user.sessions_ended", user)


def reset_second_factor(session: Session, actor: User, user: User) -> None:
    """An administrator takes away a colleague's second factor (a lost or changed phone): the
    key and recovery codes go, and every session of theirs ends. They set it up again at their
    next sign-in when it is required of them, else from their account page."""
    _require_colleague(actor, user)
    if not user.has_second_factor:
        raise DomainError(gettext("%(name)s has no second factor to reset.", name=user.name))
    remove_second_factor(session, user)
    end_sessions(session, user)
    record_event(session, actor, "user.second_factor_reset", user)


def set_second_factor_policy(session: Session, actor: User, required: bool) -> bool:
    """Require a second factor of everyone in the administrator's organisation, or only of its
    administrators and supervisors; returns whether anything changed."""
    _require_admin(actor)
    organisation = actor.organisation
    if organisation.require_second_factor == required:
        return False
    organisation.require_second_factor = required
    record_event(
        session, actor, "organisation.second_factor_policy", organisation, required=required
    )
    return True
