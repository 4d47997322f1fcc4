"""Appointments of witnesses (booking with the double-booking check, rescheduling, cancelling,
confirming, completing) and special measures per witness per hearing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing, paginate
from witness.api.hearings import duplicate_is_conflict
from witness.api.problems import ApiProblem, problem_response
from witness.api.scheduling_schemas import (
    AppointmentDetail,
    AppointmentListArgs,
    AppointmentPage,
    AppointmentSchema,
    BookingInput,
    CompleteInput,
    DecisionInput,
    MeasureInput,
    MeasureSchema,
    MyAppointmentsArgs,
    ReasonInput,
    RescheduleInput,
    Shown,
    WithdrawMeasureInput,
)
from witness.auth.models import User
from witness.cases.models import Hearing
from witness.core.access import (
    can_see_place,
    get_appointment,
    get_hearing,
    get_special_measure,
    get_witness,
    visible_appointments,
)
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.db import db_session
from witness.hearings import measures as measure_services
from witness.hearings.models import SpecialMeasure
from witness.risk.meetings import book_review_meeting
from witness.rooms.models import Resource
from witness.scheduling import queries, safety, services
from witness.scheduling.conflicts import BookingConflict
from witness.scheduling.models import Appointment, AppointmentKind, AppointmentStaff

bp = ApiBlueprint(
    "api_appointments",
    __name__,
    tag="Appointments",
    description="Accompaniment, familiarisation visits, video-link sessions and meetings: "
    "booked with no one and nothing in two places at once.",
)

measures_bp = ApiBlueprint(
    "api_measures",
    __name__,
    tag="Special measures",
    description="Protective measures per witness per hearing: proposed, applied for, granted "
    "or refused.",
)

#: the longest period ``/me/appointments`` answers for at once
MAX_PERIOD = timedelta(days=92)
DEFAULT_PERIOD = timedelta(days=7)

#: what an appointment's answer reads, loaded with it rather than one row at a time
_LOADED = (
    selectinload(Appointment.staff_links).selectinload(AppointmentStaff.user),
    selectinload(Appointment.resource).selectinload(Resource.court),
    selectinload(Appointment.hearing).selectinload(Hearing.court),
    selectinload(Appointment.interpreter),
    selectinload(Appointment.witness),
)


def _shown(user: User, appointment: Appointment, **extra) -> Shown:
    """The appointment as ``user`` may see it: where it takes place only for the managing
    office and the staff attending (a remote site or a shelter must not travel further)."""
    visible = can_see_place(user, appointment)
    hidden = () if visible else ("address", "resource_location", "witness_meeting_point")
    resource = appointment.resource
    return Shown(
        appointment,
        hidden,
        location_visible=visible,
        resource_location=resource.location if resource is not None else None,
        **extra,
    )


def _detail(session: Session, user: User, appointment: Appointment) -> Shown:
    warning = safety.waiting_room_warning(session, appointment)
    members = queries.booking_members(session, user, appointment)
    return _shown(
        user,
        appointment,
        warnings=[warning] if warning else [],
        booking_appointment_ids=[a.id for a in members],
    )


def _booking(data: dict) -> services.Booking:
    fields = {name: value for name, value in data.items() if name != "reason"}
    fields["address"] = fields.get("address") or ""
    return services.Booking(**fields)


@bp.errorhandler(BookingConflict)
def _booking_conflict(error: BookingConflict):
    """409 naming who or what is taken then, and the next free start times. Another
    appointment's id is given only to those who may see it: the rest is who, and when."""
    db, user = db_session(), api_user()
    db.rollback()
    ids = {clash.appointment_id for clash in error.clashes}
    seen = set(
        db.scalars(
            select(Appointment.id).where(Appointment.id.in_(ids), visible_appointments(user))
        )
    )
    zone = ZoneInfo(error.timezone)
    clashes = []
    for clash in error.clashes:
        item = {
            "who": clash.who,
            "start": clash.start.astimezone(zone).isoformat(),
            "end": clash.end.astimezone(zone).isoformat(),
        }
        if clash.appointment_id in seen:
            item["appointment_id"] = clash.appointment_id
        clashes.append(item)
    suggestions = [start.astimezone(zone).isoformat() for start in error.suggestions]
    detail = error.message
    detail += (
        " Choose another time: 'suggestions' lists the next free ones."
        if suggestions
        else " No free time was found in the next two weeks: change who attends or the room."
    )
    return problem_response(
        409, detail, extensions={"clashes": clashes, "suggestions": suggestions}
    )


# --- appointments --------------------------------------------------------------------------


@bp.route("/witnesses/<int:witness_id>/appointments")
class WitnessAppointments(MethodView):
    @bp.arguments(AppointmentListArgs, location="query")
    @bp.response(200, AppointmentPage)
    @bp.problems(404)
    def get(self, args, witness_id: int):
        """The witness's appointments, earliest first; `from` and `to` keep those that overlap
        the period."""
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        query = (
            select(Appointment)
            .where(Appointment.witness_id == witness.id)
            .order_by(Appointment.start_dt, Appointment.id)
            .options(*_LOADED)
        )
        if args.get("from_") is not None:
            query = query.where(Appointment.end_dt > args["from_"])
        if args.get("to") is not None:
            query = query.where(Appointment.start_dt < args["to"])
        if args.get("status") is not None:
            query = query.where(Appointment.status == args["status"])
        page = paginate(db, query, args["page"], args["per_page"])
        page["items"] = [_shown(user, a) for a in page["items"]]
        return page

    @bp.arguments(BookingInput)
    @bp.response(201, AppointmentDetail)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, witness_id: int):
        """Book an appointment for the witness (the witness's office).

        Nobody and nothing it needs may be elsewhere then: the witness, each member of staff
        and the interpreter (with the travel time before and after), and the room. Invites go
        to the staff, and to the witness if they agreed to e-mail.

        A clash is a 409 with `clashes` (who or what is taken, from when to when, travel
        included; the other appointment's id only if you may see it) and `suggestions` (the
        next free start times, in the court's timezone). Refused values (an end before the
        start, a start in the past, a room that is closed, withdrawn or unknown, staff who may
        not see the witness) are a 422, and nothing is booked.
        """
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        booking = _booking(data)
        with committing(db, user, "appointment", witness_id=witness.id):
            if booking.kind is AppointmentKind.risk_review:
                # the same rules as the pages: an open review, its officer, its interpreter
                appointment = book_review_meeting(db, user, witness, booking)
            else:
                appointment = services.book_appointment(db, user, witness, booking)
        location = url_for("api_appointments.AppointmentItem", appointment_id=appointment.id)
        return _detail(db, user, appointment), {"Location": location}


@bp.route("/me/appointments")
@bp.arguments(MyAppointmentsArgs, location="query")
@bp.response(200, AppointmentSchema(many=True))
@bp.problems(422)
def my_appointments(args):
    """The appointments you attend, not cancelled, earliest first.

    From `from` (default now) to `to` (default a week later), at most 92 days at once.
    """
    user = api_user()
    start = args.get("from_") or now_utc()
    end = args.get("to") or start + DEFAULT_PERIOD
    if end <= start:
        message = "'to' must be after 'from' (which is now, when not given)."
        raise ApiProblem(422, message, errors={"to": [message]})
    if end - start > MAX_PERIOD:
        message = f"Ask for at most {MAX_PERIOD.days} days at once."
        raise ApiProblem(422, message, errors={"to": [message]})
    appointments = queries.appointments_for_staff(db_session(), user.id, start, end)
    return [_shown(user, a) for a in appointments]


def _appointment(session: Session, user: User, appointment_id: int) -> Appointment:
    """The appointment if the caller may see it; the refusal is audited."""
    return get_appointment(session, user, appointment_id)


@bp.route("/appointments/<int:appointment_id>")
class AppointmentItem(MethodView):
    @bp.response(200, AppointmentDetail)
    @bp.problems(404)
    def get(self, appointment_id: int):
        """One appointment, with warnings (a defendant on bail at the same hearing and no
        separate waiting room booked)."""
        db, user = db_session(), api_user()
        return _detail(db, user, _appointment(db, user, appointment_id))


@bp.route("/appointments/<int:appointment_id>/reschedule")
class AppointmentReschedule(MethodView):
    @bp.arguments(RescheduleInput)
    @bp.response(200, AppointmentDetail)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, appointment_id: int):
        """Change time, place or people, with the reason (the managing office).

        Send the whole booking as it should be. The invites' SEQUENCE rises and updates go out;
        staff no longer attending get a cancellation. Clears `needs_reschedule`. A cancelled or
        completed appointment cannot change (409). Clashes and refused values are answered as
        for a booking (409 with `clashes` and `suggestions`; 422).
        """
        db, user = db_session(), api_user()
        appointment = _appointment(db, user, appointment_id)
        with committing(db, user, "appointment", appointment, witness_id=appointment.witness_id):
            services.reschedule_appointment(db, user, appointment, _booking(data), data["reason"])
        return _detail(db, user, appointment)


@bp.route("/appointments/<int:appointment_id>/cancel")
class AppointmentCancel(MethodView):
    @bp.arguments(ReasonInput)
    @bp.response(200, AppointmentDetail)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, appointment_id: int):
        """Cancel, with the reason (the managing office); frees the time and sends
        cancellations. Already cancelled or completed: 409."""
        db, user = db_session(), api_user()
        appointment = _appointment(db, user, appointment_id)
        with committing(db, user, "appointment", appointment, witness_id=appointment.witness_id):
            services.cancel_appointment(db, user, appointment, data["reason"])
        return _detail(db, user, appointment)


@bp.route("/appointments/<int:appointment_id>/confirm")
class AppointmentConfirm(MethodView):
    @bp.response(200, AppointmentDetail)
    @bp.problems(403, 404, 409)
    def post(self, appointment_id: int):
        """The witness and staff will come (the managing office or the staff attending).
        Only a scheduled appointment can be confirmed (409 otherwise)."""
        db, user = db_session(), api_user()
        appointment = _appointment(db, user, appointment_id)
        with committing(db, user, "appointment", appointment, witness_id=appointment.witness_id):
            services.confirm_appointment(db, user, appointment)
        return _detail(db, user, appointment)


@bp.route("/appointments/<int:appointment_id>/complete")
class AppointmentComplete(MethodView):
    @bp.arguments(CompleteInput, required=False)
    @bp.response(200, AppointmentDetail)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, appointment_id: int):
        """It took place (the managing office or the staff attending), with a note if worth
        saying. Not before it has started (409)."""
        db, user = db_session(), api_user()
        appointment = _appointment(db, user, appointment_id)
        with committing(db, user, "appointment", appointment, witness_id=appointment.witness_id):
            services.complete_appointment(db, user, appointment, data.get("note", ""))
        return _detail(db, user, appointment)


# --- special measures ----------------------------------------------------------------------


def _shown_measure(session: Session, measure: SpecialMeasure) -> Shown:
    return Shown(
        measure, video_link_to_book=measure_services.needs_video_link_booking(session, measure)
    )


def _measure(session: Session, user: User, measure_id: int) -> SpecialMeasure:
    """The measure if the caller may see its witness; the refusal is audited
    (``core.access.get_special_measure``)."""
    return get_special_measure(session, user, measure_id)


@measures_bp.route("/witnesses/<int:witness_id>/measures")
class WitnessMeasures(MethodView):
    @measures_bp.response(200, MeasureSchema(many=True))
    @measures_bp.problems(404)
    def get(self, witness_id: int):
        """The witness's special measures, by hearing date."""
        db = db_session()
        witness = get_witness(db, api_user(), witness_id)
        return [_shown_measure(db, m) for m in measure_services.measures_for_witness(db, witness)]

    @measures_bp.arguments(MeasureInput)
    @measures_bp.response(201, MeasureSchema)
    @measures_bp.problems(403, 404, 409, 422)
    def post(self, data, witness_id: int):
        """Propose a measure for the witness at a hearing of one of their cases (the witness's
        office). One of each kind per hearing: a second is a 409."""
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        try:
            hearing = get_hearing(db, user, data["hearing_id"])
        except NotFound as exc:
            db.commit()  # keep the audit row of the refused hearing
            message = "No such hearing, or your account may not see it."
            raise ApiProblem(422, message, errors={"hearing_id": [message]}) from exc
        with (
            committing(db, user, "measure", witness_id=witness.id),
            duplicate_is_conflict(db, "kind"),
        ):
            measure = measure_services.propose_measure(db, user, witness, hearing, data["kind"])
        return _shown_measure(db, measure)


@measures_bp.route("/measures/<int:measure_id>/apply")
class MeasureApply(MethodView):
    @measures_bp.response(200, MeasureSchema)
    @measures_bp.problems(403, 404, 409)
    def post(self, measure_id: int):
        """The application has gone to the court. Only a proposed measure (409 otherwise)."""
        db, user = db_session(), api_user()
        measure = _measure(db, user, measure_id)
        with committing(db, user, "measure", measure, witness_id=measure.witness_id):
            measure_services.apply_for_measure(db, user, measure)
        return _shown_measure(db, measure)


@measures_bp.route("/measures/<int:measure_id>/decision")
class MeasureDecision(MethodView):
    @measures_bp.arguments(DecisionInput)
    @measures_bp.response(200, MeasureSchema)
    @measures_bp.problems(403, 404, 409, 422)
    def post(self, data, measure_id: int):
        """Record the court's decision on an applied-for measure (409 otherwise).

        The witness must be told: the decision becomes news for them. A granted video link
        with no video-link session booked shows `video_link_to_book`.
        """
        db, user = db_session(), api_user()
        measure = _measure(db, user, measure_id)
        with committing(db, user, "measure", measure, witness_id=measure.witness_id):
            measure_services.decide_measure(
                db, user, measure, granted=data["granted"], note=data["note"]
            )
        return _shown_measure(db, measure)


@measures_bp.route("/measures/<int:measure_id>/withdraw")
class MeasureWithdraw(MethodView):
    @measures_bp.arguments(WithdrawMeasureInput)
    @measures_bp.response(200, MeasureSchema)
    @measures_bp.problems(403, 404, 409, 422)
    def post(self, data, measure_id: int):
        """No longer sought, with the reason. Only a proposed or applied-for measure (409
        otherwise)."""
        db, user = db_session(), api_user()
        measure = _measure(db, user, measure_id)
        with committing(db, user, "measure", measure, witness_id=measure.witness_id):
            measure_services.withdraw_measure(db, user, measure, data["note"])
        return _shown_measure(db, measure)
