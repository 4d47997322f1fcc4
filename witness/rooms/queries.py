"""What the rooms pages read: courts, a court's rooms with their coming withdrawals, a room's
withdrawals on a day, and the courtrooms a hearing can be listed in.

Courts and rooms are no one's secret (a remote site's location is: ``access.can_see_site``), so
an unknown id is refused without an audit row of its own; the 404's safety net records it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.cases.models import Court
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.rooms.models import Resource, ResourceKind, ResourceWithdrawal


def courts(session: Session) -> list[Court]:
    """Every court, by name."""
    return list(session.scalars(select(Court).order_by(Court.name)))


def find_court(session: Session, actor: User, court_id: int) -> Court:
    """The court, or ``NotFound`` (a loader for ``core.web.load_or_404``)."""
    court = session.get(Court, court_id)
    if court is None:
        raise NotFound("No such court.")
    return court


def find_resource(session: Session, actor: User, resource_id: int) -> Resource:
    """The room, or ``NotFound`` (a loader for ``core.web.load_or_404``)."""
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound("No such room.")
    return resource


def coming_withdrawals(
    session: Session, resources: Sequence[Resource]
) -> dict[int, list[ResourceWithdrawal]]:
    """The withdrawals of ``resources`` that have not ended, by resource id, earliest first."""
    upcoming: dict[int, list[ResourceWithdrawal]] = defaultdict(list)
    if not resources:
        return upcoming
    rows = session.scalars(
        select(ResourceWithdrawal)
        .where(
            ResourceWithdrawal.resource_id.in_([r.id for r in resources]),
            ResourceWithdrawal.end_dt > now_utc(),
        )
        .order_by(ResourceWithdrawal.start_dt)
    )
    for withdrawal in rows:
        upcoming[withdrawal.resource_id].append(withdrawal)
    return upcoming


def withdrawals_between(
    session: Session, resource: Resource, start: datetime, end: datetime
) -> list[ResourceWithdrawal]:
    """The room's withdrawals that overlap [start, end), earliest first."""
    return list(
        session.scalars(
            select(ResourceWithdrawal)
            .where(
                ResourceWithdrawal.resource_id == resource.id,
                ResourceWithdrawal.start_dt < end,
                ResourceWithdrawal.end_dt > start,
            )
            .order_by(ResourceWithdrawal.start_dt)
        )
    )


def courtroom_options(session: Session, court_id: int) -> list[tuple[int, str]]:
    """The court's courtrooms in use, by name: where a hearing can be listed."""
    return list(
        session.execute(
            select(Resource.id, Resource.name)
            .where(
                Resource.court_id == court_id,
                Resource.kind == ResourceKind.courtroom,
                Resource.is_active.is_(True),
            )
            .order_by(Resource.name)
        )
    )
