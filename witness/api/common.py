"""What the API's views share: paging in SQL, and committing one change with its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from math import ceil

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from witness.api.problems import ApiProblem
from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.errors import AccessDenied


def paginate(session: Session, query: Select, page: int, per_page: int) -> dict:
    """One page of ``query``, counted and cut in SQL. A page past the end is empty (it is not
    moved back to the last page, so a client paging until it sees no items stops)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    offset = (page - 1) * per_page
    items = list(session.scalars(query.limit(per_page).offset(offset))) if offset < total else []
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": ceil(total / per_page),
    }


@contextmanager
def committing(
    session: Session, actor: User, kind: str, obj=None, *, witness_id: int | None = None
) -> Iterator:
    """Run one change through its service, then commit.

    A refusal to change (``AccessDenied``) is rolled back and audited as
    ``<kind>.change_refused``, as the pages do; other domain errors propagate to the problem
    handlers, which roll back. A clash with a row saved at the same moment (a unique key the
    service checked a moment before) is a 409, not a server error.
    """
    try:
        yield
        session.commit()
    except AccessDenied:
        session.rollback()
        record_event(
            session,
            actor,
            f"{kind}.change_refused",
            obj,
            object_type=kind,
            witness_id=witness_id,
        )
        session.commit()
        raise
    except IntegrityError as exc:
        session.rollback()
        raise ApiProblem(
            409,
            "Another change to the same records was saved at the same moment. "
            "Fetch the record again and retry.",
        ) from exc
