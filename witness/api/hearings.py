"""Court resources and hearings: rooms and their withdrawals, hearings of a case, moves with
their history, and moves posted by a court system by its own listing number."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import url_for
from flask.views import MethodView
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing
from witness.api.problems import ApiProblem
from witness.api.scheduling_schemas import (
    HearingChanged,
    HearingCreated,
    HearingDetail,
    HearingInput,
    HearingSchema,
    ListingMoveInput,
    MoveInput,
    ReasonInput,
    ResourceDetail,
    ResourceInput,
    ResourceSchema,
    Shown,
    WithdrawalInput,
    WithdrawalSchema,
)
from witness.auth.models import User
from witness.cases.models import Court, Hearing, HearingChange, HearingStatus
from witness.core.access import (
    can_edit_case,
    can_manage_rooms,
    get_case,
    get_hearing,
    require,
    visible_appointments,
)
from witness.core.errors import DomainError, NotFound
from witness.core.text import CONTROL, LINE_BREAK, normalise
from witness.core.time import now_utc
from witness.db import db_session
from witness.hearings import services as hearing_services
from witness.hearings.models import SpecialMeasure
from witness.rooms import services as resource_services
from witness.rooms.models import Resource, ResourceWithdrawal
from witness.scheduling.models import Appointment, AppointmentStatus

resources_bp = ApiBlueprint(
    "api_resources",
    __name__,
    tag="Resources",
    description="Courtrooms, video-link suites, remote witness sites and waiting rooms.",
)

bp = ApiBlueprint(
    "api_hearings",
    __name__,
    tag="Hearings",
    description="Hearings of a case; moving one keeps its history and flags the appointments "
    "that serve it. A court system posts moves by its own listing number.",
)

#: the longest listing number a court system may use (``Hearing.external_ref``)
MAX_LISTING_REF = 80


@contextmanager
def duplicate_is_conflict(session: Session, *fields: str) -> Iterator[None]:
    """A service's refusal of a value another record already holds (a room's name, a listing
    number) is a 409, as a duplicate reference is; the body was valid, the state clashes."""
    try:
        yield
    except DomainError as exc:
        if type(exc) is not DomainError or exc.field not in fields:
            raise
        session.rollback()
        raise ApiProblem(409, exc.message, errors={exc.field: [exc.message]}) from exc


# --- resources -----------------------------------------------------------------------------


def _court(court_id: int) -> Court:
    court = db_session().get(Court, court_id)
    if court is None:
        raise NotFound("No such court.")
    return court


def _resource(resource_id: int) -> Resource:
    resource = db_session().get(Resource, resource_id)
    if resource is None:
        raise NotFound("No such resource.")
    return resource


def may_see_location(user: User) -> bool:
    """Where a remote witness site is: those who run the rooms (the pages show it to them)."""
    return can_manage_rooms(user)


def _shown_resource(resource: Resource, user: User, **extra) -> Shown:
    visible = may_see_location(user)
    hidden = () if visible else ("location",)
    return Shown(resource, hidden, location_visible=visible, **extra)


def _resource_detail(session: Session, resource: Resource, user: User) -> Shown:
    withdrawals = session.scalars(
        select(ResourceWithdrawal)
        .where(ResourceWithdrawal.resource_id == resource.id, ResourceWithdrawal.end_dt > now_utc())
        .order_by(ResourceWithdrawal.start_dt)
    ).all()
    return _shown_resource(resource, user, withdrawals=withdrawals)


@resources_bp.route("/courts/<int:court_id>/resources")
class CourtResources(MethodView):
    @resources_bp.response(200, ResourceSchema(many=True))
    @resources_bp.problems(404)
    def get(self, court_id: int):
        """The court's rooms and remote sites, by kind and name, withdrawn ones included.

        Where a remote witness site is (`location`) is given to supervisors and admins only.
        """
        user = api_user()
        resources = resource_services.resources_of_court(db_session(), _court(court_id).id)
        return [_shown_resource(r, user) for r in resources]

    @resources_bp.arguments(ResourceInput)
    @resources_bp.response(201, ResourceDetail)
    @resources_bp.problems(403, 404, 409, 422)
    def post(self, data, court_id: int):
        """Add a room or remote site to a court (supervisors and admins).

        The name must be new at that court (409 otherwise). Opening hours are on the court's
        clock, the same on each open weekday.
        """
        db, user = db_session(), api_user()
        court = _court(court_id)
        with committing(db, user, "resource"), duplicate_is_conflict(db, "name"):
            resource = resource_services.create_resource(db, user, court_id=court.id, **data)
        location = url_for("api_resources.ResourceItem", resource_id=resource.id)
        return _resource_detail(db, resource, user), {"Location": location}


@resources_bp.route("/resources/<int:resource_id>")
class ResourceItem(MethodView):
    @resources_bp.response(200, ResourceDetail)
    @resources_bp.problems(404)
    def get(self, resource_id: int):
        """One room or remote site, with the periods it is withdrawn from use that have not
        ended yet."""
        return _resource_detail(db_session(), _resource(resource_id), api_user())


@resources_bp.route("/resources/<int:resource_id>/withdrawals")
class Withdrawals(MethodView):
    @resources_bp.arguments(WithdrawalInput)
    @resources_bp.response(201, WithdrawalSchema)
    @resources_bp.problems(403, 404, 422)
    def post(self, data, resource_id: int):
        """Take a room out of use for a period (supervisors and admins).

        It cannot be booked then. Appointments already booked in it are not cancelled: they
        stay on the room's day for someone to move.
        """
        db, user = db_session(), api_user()
        resource = _resource(resource_id)
        with committing(db, user, "resource", resource):
            withdrawal = resource_services.withdraw_resource(
                db, user, resource, data["start"], data["end"], data["reason"]
            )
        return withdrawal


# --- hearings ------------------------------------------------------------------------------


def _hearing(session: Session, user: User, hearing_id: int) -> Hearing:
    """The hearing if the caller may see its case; the refusal is audited (``get_hearing``)."""
    return get_hearing(session, user, hearing_id)


def _changed(session: Session, user: User, hearing: Hearing) -> dict:
    """The hearing after a move or vacating, with the appointments now waiting for a new time
    (ids only of those the caller may see: another office's stay theirs)."""
    flagged = (
        Appointment.hearing_id == hearing.id,
        Appointment.needs_reschedule.is_(True),
        Appointment.status.in_([AppointmentStatus.scheduled, AppointmentStatus.confirmed]),
    )
    ids = session.scalars(
        select(Appointment.id).where(*flagged, visible_appointments(user)).order_by(Appointment.id)
    ).all()
    total = session.scalar(select(func.count()).select_from(Appointment).where(*flagged))
    session.refresh(hearing)
    return {"hearing": hearing, "flagged_appointment_ids": ids, "flagged": total}


@bp.route("/cases/<int:case_id>/hearings")
class CaseHearings(MethodView):
    @bp.response(200, HearingSchema(many=True))
    @bp.problems(404)
    def get(self, case_id: int):
        """The case's hearings, earliest first, in the court's timezone."""
        db = db_session()
        case = get_case(db, api_user(), case_id)
        return db.scalars(
            select(Hearing)
            .where(Hearing.case_id == case.id)
            .order_by(Hearing.start_dt)
            .options(joinedload(Hearing.court), joinedload(Hearing.courtroom))
        ).all()

    @bp.arguments(HearingInput)
    @bp.response(201, HearingCreated)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, case_id: int):
        """List a hearing of the case (the case's office and its prosecutors).

        For a trial day, the standard special measures are proposed at once for each child and
        each trafficking complainant in the case (`measures_proposed` says how many). A listing
        number (`external_ref`) already used at the court is a 409.
        """
        db, user = db_session(), api_user()
        case = get_case(db, user, case_id)
        with committing(db, user, "case", case), duplicate_is_conflict(db, "external_ref"):
            hearing = hearing_services.create_hearing(db, user, case, **data)
            proposed = db.scalar(
                select(func.count())
                .select_from(SpecialMeasure)
                .where(SpecialMeasure.hearing_id == hearing.id)
            )
        location = url_for("api_hearings.HearingItem", hearing_id=hearing.id)
        return Shown(hearing, measures_proposed=proposed), {"Location": location}


@bp.route("/hearings/<int:hearing_id>")
class HearingItem(MethodView):
    @bp.response(200, HearingDetail)
    @bp.problems(404)
    def get(self, hearing_id: int):
        """One hearing, with its history of moves and status changes."""
        db = db_session()
        hearing = _hearing(db, api_user(), hearing_id)
        # The history's actors, in one read rather than one per change.
        db.scalars(
            select(HearingChange)
            .where(HearingChange.hearing_id == hearing.id)
            .options(selectinload(HearingChange.actor))
        ).all()
        return hearing


@bp.route("/hearings/<int:hearing_id>/moves")
class HearingMoves(MethodView):
    @bp.arguments(MoveInput)
    @bp.response(200, HearingChanged)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, hearing_id: int):
        """Move a hearing to another time (and courtroom); the case's office and prosecutors.

        The old times stay in its history. Every active appointment that serves it is flagged
        for rescheduling (`flagged_appointment_ids`), and each witness of the case gets news to
        be told. A vacated or held hearing cannot move (409).
        """
        db, user = db_session(), api_user()
        hearing = _hearing(db, user, hearing_id)
        with committing(db, user, "hearing", hearing):
            hearing_services.move_hearing(db, user, hearing, **data)
        return _changed(db, user, hearing)


@bp.route("/hearings/<int:hearing_id>/vacate")
class HearingVacate(MethodView):
    @bp.arguments(ReasonInput)
    @bp.response(200, HearingChanged)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, hearing_id: int):
        """Take a hearing out of the list: it will not take place.

        Appointments that serve it are flagged for rescheduling or cancelling, and each
        witness of the case gets news to be told.
        """
        db, user = db_session(), api_user()
        hearing = _hearing(db, user, hearing_id)
        with committing(db, user, "hearing", hearing):
            hearing_services.vacate_hearing(db, user, hearing, data["reason"])
        return _changed(db, user, hearing)


def _listed(session: Session, user: User, court_id: int, external_ref: str) -> Hearing:
    """The hearing a court lists under ``external_ref``, if the caller may see its case.

    A case the caller may not see answers like a listing that does not exist (the refusal is
    audited); a number no court system could have sent is not looked up at all.
    """
    if (
        len(external_ref) > MAX_LISTING_REF
        or CONTROL.search(external_ref)
        or LINE_BREAK.search(external_ref)
    ):
        raise NotFound("No such listing.")
    court = _court(court_id)
    try:
        return hearing_services.find_by_external_ref(
            session, user, court.id, normalise(external_ref)
        )
    except NotFound as exc:
        raise NotFound("No such listing at this court.") from exc


def _already_there(hearing: Hearing, data: dict) -> bool:
    """The hearing is listed at exactly these times already."""
    return (
        hearing.status in (HearingStatus.listed, HearingStatus.moved)
        and hearing.start_dt == data["start"]
        and hearing.end_dt == data["end"]
    )


# A listing number may hold slashes ("T2026/0042"): sent percent-encoded, they reach the
# route decoded, so the converter takes them.
@bp.route("/courts/<int:court_id>/listings/<path:external_ref>/moves")
class ListingMoves(MethodView):
    @bp.arguments(ListingMoveInput)
    @bp.response(200, HearingChanged)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, court_id: int, external_ref: str):
        """A court system posts a moved hearing, by its own listing number.

        For court listing systems: name the hearing as the court does, by the court's id in
        Witness (`GET /courts`) and the listing number given when the hearing was listed
        (`external_ref`, percent-encoded in the URL: `T2026%2F0042`), and send the new `start`
        and `end` with their UTC offset and a `reason`. The move is recorded in the hearing's
        history under the token's account, every active appointment that serves the hearing is
        flagged for rescheduling (`flagged_appointment_ids`), and each witness of the case gets
        news to be told.

        The token's account must belong to the office that owns the case (a 403 otherwise); a
        listing it may not see, or that does not exist, is a 404. Posting the same times again
        changes nothing and answers 200, so a retry after a lost answer is safe. A vacated or
        held hearing cannot move (409).
        """
        db, user = db_session(), api_user()
        hearing = _listed(db, user, court_id, external_ref)
        with committing(db, user, "hearing", hearing):
            require(can_edit_case(user, hearing.case), "Only the case's office moves its hearings.")
            if not _already_there(hearing, data):  # a retry after a lost answer changes nothing
                hearing_services.move_hearing(db, user, hearing, **data)
        return _changed(db, user, hearing)
