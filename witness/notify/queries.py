"""What the notify pages read besides the outbox itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.cases.models import Case, Court
from witness.notify.models import open_tasks


def office_timezone(session: Session, organisation_id: int) -> str:
    """The zone an office's outbox shows times in: that of the court of its latest case."""
    zone = session.scalar(
        select(Court.timezone)
        .join(Case, Case.court_id == Court.id)
        .where(Case.organisation_id == organisation_id)
        .order_by(Case.id.desc())
        .limit(1)
    )
    return zone or "UTC"


def sharing_organisation_options(session: Session, witness_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisations the witness shares their file with: the NGOs that may
    tell them (contact preferences' "through their NGO worker")."""
    from witness.auth.models import Organisation
    from witness.core.access import sharing_organisations

    return [
        (org_id, name)
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(sharing_organisations(witness_id)))
            .order_by(Organisation.name)
        )
    ]


def outbox_letters(actor, status=None):
    """The office's letters, newest first (the outbox's "post" view), filterable by status."""
    from witness.core.access import can_see_outbox, require
    from witness.letters.models import Letter

    require(can_see_outbox(actor), "Only the office's staff see its outbox.")
    query = (
        select(Letter)
        .where(Letter.organisation_id == actor.organisation_id)
        .order_by(Letter.id.desc())
    )
    return query if status is None else query.where(Letter.status == status)


def outbox_tasks(session: Session, actor, channel) -> list:
    """Open notification tasks of the office's witnesses the actor may see whose channel now is
    ``channel`` (a call, a visit, the NGO worker), soonest deadline first."""
    from witness.core.access import can_see_outbox, require, visible_witnesses
    from witness.notify.delivery import current_channel
    from witness.notify.models import NotificationTask
    from witness.people.models import Witness

    require(can_see_outbox(actor), "Only the office's staff see its outbox.")
    tasks = session.scalars(
        select(NotificationTask)
        .join(Witness, Witness.id == NotificationTask.witness_id)
        .where(
            open_tasks(),
            Witness.organisation_id == actor.organisation_id,
            visible_witnesses(actor),
        )
        .order_by(NotificationTask.due_dt, NotificationTask.id)
    )
    return [task for task in tasks if current_channel(session, task) is channel]
