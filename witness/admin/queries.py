"""What the administration pages read: organisations, an office's users, and a court or a
colleague named by id (any other id is refused as not found, and audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Organisation, User
from witness.cases.models import Court
from witness.core.errors import NotFound


def organisations(session: Session) -> list[Organisation]:
    """Every organisation, by name."""
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def office_users(session: Session, organisation_id: int) -> list[User]:
    """The users of one organisation: enabled ones first, each group by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id)
            .order_by(User.is_enabled.desc(), User.name)
        )
    )


def get_court(session: Session, actor: User, court_id: int) -> Court:
    """The court with this id; none is ``NotFound``, audited."""
    court = session.get(Court, court_id)
    if court is None:
        record_event(session, actor, "court.refused", object_type="court", object_id=court_id)
        raise NotFound("No such court.")
    return court


def get_colleague(session: Session, actor: User, user_id: int) -> User:
    """A user of the actor's organisation; another organisation's (or none) is ``NotFound``,
    audited: an administrator manages only their own office's accounts."""
    user = session.get(User, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        record_event(session, actor, "user.refused", object_type="user", object_id=user_id)
        raise NotFound("No such user.")
    return user
