"""Appointments (book, see, reschedule, cancel, confirm, complete), an officer's week, a room's
day, court rooms and their withdrawals, and the office's interpreters.

Times are typed and shown in local time: an appointment's zone is that of the court of its
room, else of its hearing, else of its case, else the witness's (``Appointment.timezone``); the
form reads the times it is given in the same zone, so what is typed is what is shown after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from witness.audit.models import AuditEvent
from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.calendar.ics import NEUTRAL_MEETING_POINT
from witness.cases.models import Case, Court, Hearing, HearingStatus
from witness.core.access import (
    OFFICE_ROLES,
    STAFF_ROLES,
    attending_staff,
    can_manage_appointment,
    can_manage_witness,
    can_see_place,
    can_see_site,
    can_update_status,
    get_appointment,
    get_witness,
    invites_in_full_detail,
    visible_appointments,
)
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.time import (
    day_bounds,
    format_span,
    is_valid_timezone,
    local_to_utc,
    now_utc,
    today_in,
)
from witness.core.web import (
    apply_domain_error,
    bad_request,
    date_arg,
    form_page,
    id_arg,
    instant_arg,
)
from witness.db import db_session
from witness.notify.mail import delivery_summary
from witness.people.models import Witness
from witness.scheduling import resources as rooms
from witness.scheduling.forms import (
    BookingForm,
    CancelForm,
    CompleteForm,
    InterpreterForm,
    RescheduleForm,
    ResourceForm,
    WithdrawalForm,
)
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentStaff,
    Resource,
    ResourceKind,
    ResourceWithdrawal,
)
from witness.scheduling.services import (
    Booking,
    BookingConflict,
    appointments_for_resource,
    appointments_for_staff,
    book_appointment,
    cancel_appointment,
    complete_appointment,
    confirm_appointment,
    reschedule_appointment,
    waiting_room_warning,
)

bp = Blueprint("scheduling", __name__)

#: minutes before the hearing starts that staff meet the witness, by kind of appointment
MEET_BEFORE = {AppointmentKind.video_link: 30}
DEFAULT_MEET_BEFORE = 60
DEFAULT_DURATION = timedelta(hours=1)
#: appointment-history events shown on an appointment's page
HISTORY_ACTIONS = (
    "appointment.book",
    "appointment.reschedule",
    "appointment.cancel",
    "appointment.confirm",
    "appointment.complete",
)
MANAGERS = frozenset({Role.admin, Role.supervisor})
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


# --- small helpers ---------------------------------------------------------------------------


def _zone_of(
    resource: Resource | None, hearing: Hearing | None, case: Case | None, witness: Witness
) -> str:
    """The zone a booking's times are read in: the same rule as ``Appointment.timezone``."""
    if resource is not None:
        return resource.court.timezone
    if hearing is not None:
        return hearing.court.timezone
    if case is not None:
        return case.court.timezone
    return witness.timezone


def _audit_refusal(action: str, **kw) -> None:
    db = db_session()
    record_event(db, current_user, action, **kw)
    db.commit()


# --- booking -------------------------------------------------------------------------------


def _load_bookable(witness_id: int) -> Witness:
    """The witness, if the user's office manages their file; otherwise an audited 404."""
    db = db_session()
    try:
        witness = get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()
        abort(404)
    if not can_manage_witness(current_user, witness):
        _audit_refusal(
            "appointment.book_refused",
            object_type="witness",
            object_id=witness.id,
            witness_id=witness.id,
        )
        abort(404)
    return witness


@dataclass
class BookingOptions:
    """What the booking form offers for one witness."""

    witness: Witness
    staff: list[User]
    resources: list[Resource]
    hearings: list[Hearing]
    interpreters: list
    zones: list[str] = field(default_factory=list)

    @property
    def only_case(self) -> Case | None:
        cases = [p.case for p in self.witness.participations]
        return cases[0] if len(cases) == 1 else None

    def resource_groups(self) -> list[tuple[Court, list[Resource]]]:
        return [(court, list(rs)) for court, rs in groupby(self.resources, lambda r: r.court)]

    def apply(self, form: BookingForm) -> None:
        form.staff_ids.choices = options(
            (u.id, f"{u.name} ({u.role.label}, {u.organisation.name})") for u in self.staff
        )
        form.resource_id.choices = [
            SelectChoice("", "— none: give an address —"),
            *options((r.id, f"{r.name} ({r.kind.label}, {r.court.name})") for r in self.resources),
        ]
        form.hearing_id.choices = [
            EMPTY_CHOICE,
            *options((h.id, self.hearing_label(h)) for h in self.hearings),
        ]
        form.interpreter_id.choices = [
            EMPTY_CHOICE,
            *options((i.id, f"{i.name} ({', '.join(i.languages)})") for i in self.interpreters),
        ]

    @staticmethod
    def hearing_label(hearing: Hearing) -> str:
        zone = ZoneInfo(hearing.court.timezone)
        start = hearing.start_dt.astimezone(zone)
        return (
            f"{hearing.type.label}, {hearing.case.reference} — {start:%a %d %b %Y %H:%M} "
            f"{start.tzname()}, {hearing.court.name}"
        )


def _booking_options(witness: Witness, appointment: Appointment | None = None) -> BookingOptions:
    """Staff: everyone who may attend with the witness (``access.attending_staff``); rooms of
    the courts of the witness's cases; their upcoming hearings; the office's interpreters. What
    an appointment being rescheduled already has stays on offer."""
    db = db_session()
    staff = list(db.scalars(select(User).where(attending_staff(witness)).order_by(User.name)))
    case_ids = [p.case_id for p in witness.participations]
    court_ids = {p.case.court_id for p in witness.participations}
    resources = list(
        db.scalars(
            select(Resource)
            .join(Court, Court.id == Resource.court_id)
            .where(Resource.court_id.in_(court_ids), Resource.is_active.is_(True))
            .order_by(Court.name, Resource.kind, Resource.name)
            .options(joinedload(Resource.court))
        )
    )
    hearings = list(
        db.scalars(
            select(Hearing)
            .where(
                Hearing.case_id.in_(case_ids),
                Hearing.status.in_([HearingStatus.listed, HearingStatus.moved]),
                Hearing.end_dt >= now_utc(),
            )
            .order_by(Hearing.start_dt)
            .options(joinedload(Hearing.case), joinedload(Hearing.court))
        )
    )
    interpreters = rooms.interpreters_of(db, witness.organisation_id)
    if appointment is not None:
        staff += [u for u in appointment.staff if u not in staff]
        if appointment.resource is not None and appointment.resource not in resources:
            resources.append(appointment.resource)
        if appointment.hearing is not None and appointment.hearing not in hearings:
            hearings.append(appointment.hearing)
        if appointment.interpreter is not None and appointment.interpreter not in interpreters:
            interpreters.append(appointment.interpreter)
    zones = sorted({r.court.timezone for r in resources} | {witness.timezone})
    return BookingOptions(witness, staff, resources, hearings, interpreters, zones)


def _witness_hearing(witness: Witness, hearing_id: int | None) -> Hearing | None:
    """A hearing of one of the witness's cases, or None."""
    if hearing_id is None:
        return None
    hearing = db_session().get(Hearing, hearing_id)
    if hearing is None or hearing.case_id not in {p.case_id for p in witness.participations}:
        return None
    return hearing


def _prefill(form: BookingForm, witness: Witness, choices: BookingOptions) -> None:
    """A new booking's form: from the hearing when one is given (meet before it starts, stay
    to its end), the right kind of room for the kind, the user attending, an interpreter in
    the witness's first language when they need one."""
    hearing = _witness_hearing(witness, id_arg("hearing_id"))
    kinds = {k.value: k for k in AppointmentKind}
    kind = kinds.get(request.args.get("kind", ""))
    if kind is None and hearing is not None:
        kind = AppointmentKind.accompaniment
    form.kind.data = kind
    start = end = None
    if hearing is not None:
        form.hearing_id.data = hearing.id
        start = hearing.start_dt - timedelta(minutes=MEET_BEFORE.get(kind, DEFAULT_MEET_BEFORE))
        end = hearing.end_dt
    court = hearing.court if hearing else (choices.only_case.court if choices.only_case else None)
    resource = None
    if kind is AppointmentKind.video_link:
        suites = [r for r in choices.resources if r.kind is ResourceKind.video_link_suite]
        preferred = [r for r in suites if court is not None and r.court_id == court.id]
        resource = (preferred or suites or [None])[0]
        form.resource_id.data = resource.id if resource else None
    elif hearing is not None:
        form.address.data = " ".join(f"{hearing.court.name}, {hearing.court.address}".split())
    tz = _zone_of(resource, hearing, choices.only_case, witness)
    given = instant_arg("start", tz)
    if given is not None:
        duration = (end - start) if start and end else DEFAULT_DURATION
        start, end = given, given + duration
    if start is not None:
        zone = ZoneInfo(tz)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        form.date.data = local_start.date()
        form.start.data = local_start.time()
        form.end.data = local_end.time()
    if current_user.id in {u.id for u in choices.staff}:
        form.staff_ids.data = [current_user.id]
    if witness.needs_interpreter and witness.languages:
        language = witness.languages[0]
        form.language.data = language
        speakers = [i for i in choices.interpreters if language in i.languages]
        if speakers:
            form.interpreter_id.data = speakers[0].id


def _posted_zone(form: BookingForm, witness: Witness, fallback_case: Case | None) -> str:
    db = db_session()
    resource = db.get(Resource, form.resource_id.data) if form.resource_id.data else None
    hearing = _witness_hearing(witness, form.hearing_id.data)
    case = hearing.case if hearing else fallback_case
    return _zone_of(resource, hearing, case, witness)


def _booking_from(form: BookingForm, tz: str, case_id: int | None) -> Booking:
    return Booking(
        kind=form.kind.data,
        start=local_to_utc(form.date.data, form.start.data, tz, "start"),
        end=local_to_utc(form.date.data, form.end.data, tz, "end"),
        staff_ids=list(form.staff_ids.data or []),
        travel_minutes=form.travel_minutes.data or 0,
        resource_id=form.resource_id.data,
        address=form.address.data or "",
        interpreter_id=form.interpreter_id.data,
        language=form.language.data or None,
        notes=form.notes.data or "",
        hearing_id=form.hearing_id.data,
        case_id=case_id,
        witness_meeting_point=form.witness_meeting_point.data or "",
    )


def _suggestions(conflict: BookingConflict, booking: Booking, tz: str) -> list[dict]:
    """The free starts the service found, as local date and times the form takes back."""
    zone = ZoneInfo(tz)
    duration = booking.end - booking.start
    found = []
    for start in conflict.suggestions:
        local_start, local_end = start.astimezone(zone), (start + duration).astimezone(zone)
        if local_start.date() != local_end.date():
            continue  # the form takes one date; a slot over midnight cannot be sent back
        found.append(
            {
                "label": f"{local_start:%a %d %b} {local_start:%H:%M}\N{EN DASH}{local_end:%H:%M} "
                f"{local_start.tzname()}",
                "date": local_start.date().isoformat(),
                "start": f"{local_start:%H:%M}",
                "end": f"{local_end:%H:%M}",
            }
        )
    return found


def _carried_fields() -> list[tuple[str, str]]:
    """Everything the user sent except the times, for the suggestion buttons to send again."""
    skip = {"csrf_token", "date", "start", "end"}
    return [(k, v) for k in request.form if k not in skip for v in request.form.getlist(k)]


def _form_page(form, witness, choices, *, appointment=None, conflict=None, booking=None, tz):
    context = dict(
        form=form,
        witness=witness,
        choices=choices,
        appointment=appointment,
        tz=tz,
        conflict=None,
    )
    if conflict is not None:
        context.update(
            conflict=conflict,
            clash_messages=[c.message(tz) for c in conflict.clashes],
            suggestions=_suggestions(conflict, booking, tz),
            carried=_carried_fields(),
        )
        return render_template("scheduling/book.html", **context), 409
    return form_page("scheduling/book.html", **context)


def _flash_booked(appointment: Appointment, warning: str | None, verb: str) -> None:
    tz = appointment.timezone
    start = appointment.start_dt.astimezone(ZoneInfo(tz))
    flash(
        f"{appointment.kind.label} {verb} for {appointment.witness.reference} on "
        f"{start:%a %d %b %Y at %H:%M} {start.tzname()}."
    )
    if warning:
        flash(warning, "warning")


@bp.route("/witnesses/<int:witness_id>/appointments/new", methods=["GET", "POST"])
def book(witness_id: int):
    """Book an appointment; pre-filled from ``?hearing_id=``, ``?kind=`` and ``?start=``."""
    witness = _load_bookable(witness_id)
    choices = _booking_options(witness)
    form = BookingForm()
    choices.apply(form)
    if request.method == "GET":
        _prefill(form, witness, choices)
    tz = _posted_zone(form, witness, choices.only_case)
    if form.validate_on_submit():
        db = db_session()
        booking = None
        try:
            case = choices.only_case
            booking = _booking_from(form, tz, case.id if case else None)
            appointment = book_appointment(db, current_user, witness, booking)
            warning = waiting_room_warning(db, appointment)
        except BookingConflict as conflict:
            db.rollback()
            return _form_page(form, witness, choices, conflict=conflict, booking=booking, tz=tz)
        except AccessDenied:
            db.rollback()
            abort(404)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            _flash_booked(appointment, warning, "booked")
            return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    return _form_page(form, witness, choices, tz=tz)


# --- one appointment -------------------------------------------------------------------------


def _load_appointment(appointment_id: int) -> Appointment:
    db = db_session()
    try:
        return get_appointment(db, current_user, appointment_id)
    except NotFound:
        db.commit()  # keep the audit row of the refusal
        abort(404)


def _refuse_change(appointment: Appointment):
    """Someone who sees the appointment but may not change it: audited, answered 404 as the
    witness pages do."""
    _audit_refusal(
        "appointment.change_refused",
        object_type="appointment",
        object_id=appointment.id,
        witness_id=appointment.witness_id,
    )
    abort(404)


def _history(appointment: Appointment) -> list[AuditEvent]:
    return list(
        db_session().scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "appointment",
                AuditEvent.object_id == appointment.id,
                AuditEvent.action.in_(HISTORY_ACTIONS),
            )
            .order_by(AuditEvent.id)
            .options(joinedload(AuditEvent.actor))
        )
    )


def _deliveries(appointment: Appointment) -> list:
    if not can_manage_appointment(current_user, appointment):
        return []
    return delivery_summary(db_session(), appointment.id)


def _refuse_or_show(form, exc: DomainError) -> None:
    """A refusal about a field goes beside it; one about the appointment as a whole is
    flashed, since the form it came from may no longer be on the page."""
    if exc.field and getattr(form, exc.field, None) is not None:
        apply_domain_error(form, exc)
    else:
        flash(exc.message, "error")


def _appointment_page(appointment: Appointment, status: int = 200, **forms):
    db = db_session()
    manage = can_manage_appointment(current_user, appointment)
    update = can_update_status(current_user, appointment)
    tz = appointment.timezone
    travel = timedelta(minutes=appointment.travel_minutes)
    context = dict(
        appointment=appointment,
        tz=tz,
        when=format_span(appointment.start_dt, appointment.end_dt, tz),
        blocked=format_span(appointment.start_dt - travel, appointment.end_dt + travel, tz),
        can_manage=manage,
        can_update=update,
        show_location=can_see_place(current_user, appointment),
        witness_full_detail=invites_in_full_detail(appointment.witness, now_utc().date()),
        meeting_point_default=NEUTRAL_MEETING_POINT,
        can_complete=update and appointment.status.is_active and appointment.start_dt <= now_utc(),
        warning=waiting_room_warning(db, appointment) if appointment.status.is_active else None,
        history=_history(appointment),
        deliveries=_deliveries(appointment),
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None),
        complete_form=forms.get("complete_form") or CompleteForm(formdata=None),
        action_labels={
            "appointment.book": "Booked",
            "appointment.reschedule": "Rescheduled",
            "appointment.cancel": "Cancelled",
            "appointment.confirm": "Confirmed",
            "appointment.complete": "Completed",
        },
    )
    return render_template("scheduling/appointment.html", **context), status


@bp.route("/appointments/<int:appointment_id>")
def appointment(appointment_id: int):
    appointment = _load_appointment(appointment_id)
    db = db_session()
    record_event(
        db, current_user, "appointment.view", appointment, witness_id=appointment.witness_id
    )
    db.commit()
    return _appointment_page(appointment)


def _reschedule_prefill(form: RescheduleForm, appointment: Appointment) -> None:
    zone = ZoneInfo(appointment.timezone)
    start, end = appointment.start_dt.astimezone(zone), appointment.end_dt.astimezone(zone)
    form.kind.data = appointment.kind
    form.hearing_id.data = appointment.hearing_id
    form.date.data = start.date()
    form.start.data, form.end.data = start.time(), end.time()
    form.travel_minutes.data = appointment.travel_minutes
    form.staff_ids.data = [link.user_id for link in appointment.staff_links]
    form.resource_id.data = appointment.resource_id
    form.address.data = appointment.address
    form.interpreter_id.data = appointment.interpreter_id
    form.language.data = appointment.language
    form.notes.data = appointment.notes
    form.witness_meeting_point.data = appointment.witness_meeting_point


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
def reschedule(appointment_id: int):
    """Change time, place or people, with a reason; everyone gets an update."""
    appointment = _load_appointment(appointment_id)
    if not can_manage_appointment(current_user, appointment):
        _refuse_change(appointment)
    if not appointment.status.is_active:
        flash(f"A {appointment.status.label.lower()} appointment cannot be changed.", "error")
        return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    witness = appointment.witness
    choices = _booking_options(witness, appointment)
    form = RescheduleForm()
    choices.apply(form)
    if request.method == "GET":
        _reschedule_prefill(form, appointment)
    tz = _posted_zone(form, witness, appointment.case)
    if form.validate_on_submit():
        db = db_session()
        booking = None
        try:
            booking = _booking_from(form, tz, appointment.case_id)
            reschedule_appointment(db, current_user, appointment, booking, form.reason.data)
            warning = waiting_room_warning(db, appointment)
        except BookingConflict as conflict:
            db.rollback()
            return _form_page(
                form,
                witness,
                choices,
                appointment=appointment,
                conflict=conflict,
                booking=booking,
                tz=tz,
            )
        except AccessDenied:
            db.rollback()
            _refuse_change(appointment)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            _flash_booked(appointment, warning, "moved")
            return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    return _form_page(form, witness, choices, appointment=appointment, tz=tz)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
def cancel(appointment_id: int):
    if request.method == "GET":
        return redirect(url_for("scheduling.appointment", appointment_id=appointment_id))
    appointment = _load_appointment(appointment_id)
    if not can_manage_appointment(current_user, appointment):
        _refuse_change(appointment)
    form = CancelForm()
    if form.validate():
        db = db_session()
        try:
            cancel_appointment(db, current_user, appointment, form.reason.data)
        except DomainError as exc:
            db.rollback()
            _refuse_or_show(form, exc)
        else:
            db.commit()
            flash("Appointment cancelled; everyone invited is sent a cancellation.")
            return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    return _appointment_page(appointment, 400, cancel_form=form)


@bp.route("/appointments/<int:appointment_id>/confirm", methods=["GET", "POST"])
def confirm(appointment_id: int):
    if request.method == "GET":
        return redirect(url_for("scheduling.appointment", appointment_id=appointment_id))
    appointment = _load_appointment(appointment_id)
    if not can_update_status(current_user, appointment):
        _refuse_change(appointment)
    db = db_session()
    try:
        confirm_appointment(db, current_user, appointment)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _appointment_page(appointment, 400)
    db.commit()
    flash("Appointment confirmed.")
    return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))


@bp.route("/appointments/<int:appointment_id>/complete", methods=["GET", "POST"])
def complete(appointment_id: int):
    if request.method == "GET":
        return redirect(url_for("scheduling.appointment", appointment_id=appointment_id))
    appointment = _load_appointment(appointment_id)
    if not can_update_status(current_user, appointment):
        _refuse_change(appointment)
    form = CompleteForm()
    if form.validate():
        db = db_session()
        try:
            complete_appointment(db, current_user, appointment, form.note.data or "")
        except DomainError as exc:
            db.rollback()
            _refuse_or_show(form, exc)
        else:
            db.commit()
            flash("Appointment recorded as completed.")
            return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    return _appointment_page(appointment, 400, complete_form=form)


# --- an officer's week -----------------------------------------------------------------------


def _default_timezone() -> str:
    return current_app.config.get("DEFAULT_TIMEZONE") or "Europe/London"


def _week_owner(user_id: int | None) -> User:
    """Whose week: one's own; a supervisor or administrator may open any of their office's."""
    if user_id is None or user_id == current_user.id:
        return current_user
    owner = db_session().get(User, user_id) if current_user.role in MANAGERS else None
    if owner is None or owner.organisation_id != current_user.organisation_id:
        _audit_refusal("calendar.refused", object_type="user", object_id=user_id)
        abort(404)
    return owner


def _preload_zones(appointments: list[Appointment]) -> list:
    """Load what ``Appointment.timezone`` reads for all the appointments at once, so a week
    of any length costs the same few queries: the lazy loads then find the rows in the
    session's identity map. That map holds rows weakly, so the caller keeps the list this
    returns until it has rendered."""
    db = db_session()
    court_ids = {a.resource.court_id for a in appointments if a.resource is not None}
    rest = [a for a in appointments if a.resource is None]
    hearing_ids = {a.hearing_id for a in rest if a.hearing_id is not None}
    rest = [a for a in rest if a.hearing_id is None]
    case_ids = {a.case_id for a in rest if a.case_id is not None}
    witness_ids = {a.witness_id for a in rest if a.case_id is None}
    loaded: list = []
    if court_ids:
        loaded += db.scalars(select(Court).where(Court.id.in_(court_ids))).all()
    if hearing_ids:
        loaded += db.scalars(
            select(Hearing).where(Hearing.id.in_(hearing_ids)).options(joinedload(Hearing.court))
        ).all()
    if case_ids:
        loaded += db.scalars(select(Case).where(Case.id.in_(case_ids))).all()
    if witness_ids:
        loaded += db.scalars(
            select(Witness)
            .where(Witness.id.in_(witness_ids))
            .options(selectinload(Witness.participations))
        ).all()
    return loaded


def _place(appointment: Appointment) -> str:
    if appointment.resource is not None:
        return appointment.resource.name
    return appointment.address


@bp.route("/calendar/week")
def week():
    """A member of staff's appointments for one week, Monday to Sunday: each on its own court's
    day at its court's local time (a Sydney 02:30 is on its Sydney day, whatever ``?tz=``, which
    only says which day is today)."""
    tz = request.args.get("tz", "").strip() or _default_timezone()
    if not is_valid_timezone(tz):
        return bad_request(
            f"Unknown timezone {tz[:64]!r}: give an IANA name such as Europe/London."
        )
    day = date_arg("date") or today_in(tz)
    owner = _week_owner(id_arg("user_id"))
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    # Every zone's Monday starts within a day of UTC's: read a day either side, then keep what
    # falls on the week's days in its own zone.
    start = datetime.combine(monday - timedelta(days=1), time(), UTC)
    end = datetime.combine(monday + timedelta(days=8), time(), UTC)
    db = db_session()
    appointments = appointments_for_staff(db, owner.id, start, end)
    preloaded = _preload_zones(appointments)
    by_day = defaultdict(list)
    shown = 0
    for a in appointments:
        local_day = a.start_dt.astimezone(ZoneInfo(a.timezone)).date()
        if not monday <= local_day < monday + timedelta(days=7):
            continue
        shown += 1
        by_day[local_day].append(
            {
                "appointment": a,
                "span": format_span(a.start_dt, a.end_dt, a.timezone, with_date=False),
                "own_zone": a.timezone,
                "place": _place(a),
            }
        )
    del preloaded  # every zone is read: the rows may go
    staff = []
    if current_user.role in MANAGERS:
        staff = db.scalars(
            select(User)
            .where(
                User.organisation_id == current_user.organisation_id,
                User.is_enabled.is_(True),
                User.role.in_(STAFF_ROLES),
            )
            .order_by(User.name)
        ).all()
    args = {"tz": tz} | ({"user_id": owner.id} if owner.id != current_user.id else {})
    return render_template(
        "scheduling/week.html",
        owner=owner,
        days=days,
        by_day=by_day,
        tz=tz,
        today=today_in(tz),
        weekday_names=WEEKDAY_NAMES,
        prev_url=url_for("scheduling.week", date=(monday - timedelta(days=7)).isoformat(), **args),
        next_url=url_for("scheduling.week", date=(monday + timedelta(days=7)).isoformat(), **args),
        this_url=url_for("scheduling.week", **args),
        staff=staff,
        count=shown,
    )


# --- a room's day ----------------------------------------------------------------------------


def _load_resource(resource_id: int) -> Resource:
    resource = db_session().get(Resource, resource_id)
    if resource is None:
        abort(404)
    return resource


def _may_manage_rooms() -> bool:
    return current_user.role in rooms.RESOURCE_MANAGERS


def _weekday_names(days: str) -> str:
    return ", ".join(WEEKDAY_NAMES[int(d) - 1] for d in days)


@bp.route("/resources/<int:resource_id>/day")
def resource_day(resource_id: int):
    """A room's bookings on one day in its court's time, with any withdrawal that day. A
    booking of a witness the user may not see shows only that the room is booked then."""
    resource = _load_resource(resource_id)
    tz = resource.court.timezone
    day = date_arg("date") or today_in(tz)
    start, end = day_bounds(day, tz)
    db = db_session()
    bookings = appointments_for_resource(db, resource.id, start, end)
    ids = [a.id for a in bookings]
    visible, attending = set(), set()
    if ids:
        visible = set(
            db.scalars(
                select(Appointment.id).where(
                    Appointment.id.in_(ids), visible_appointments(current_user)
                )
            )
        )
        attending = set(
            db.scalars(
                select(AppointmentStaff.appointment_id).where(
                    AppointmentStaff.user_id == current_user.id,
                    AppointmentStaff.appointment_id.in_(ids),
                )
            )
        )
    withdrawals = db.scalars(
        select(ResourceWithdrawal)
        .where(
            ResourceWithdrawal.resource_id == resource.id,
            ResourceWithdrawal.start_dt < end,
            ResourceWithdrawal.end_dt > start,
        )
        .order_by(ResourceWithdrawal.start_dt)
    ).all()

    def withdrawn(a: Appointment) -> bool:
        return any(w.start_dt < a.end_dt and w.end_dt > a.start_dt for w in withdrawals)

    return render_template(
        "scheduling/resource_day.html",
        resource=resource,
        day=day,
        tz=tz,
        span=lambda a: format_span(a.start_dt, a.end_dt, tz, with_date=False),
        bookings=bookings,
        visible=visible,
        withdrawals=withdrawals,
        withdrawn=withdrawn,
        show_location=can_see_site(current_user, resource, attends_there=bool(attending)),
        open_today=str(day.isoweekday()) in resource.open_weekdays,
        open_days=_weekday_names(resource.open_weekdays),
        prev_url=url_for(
            "scheduling.resource_day",
            resource_id=resource.id,
            date=(day - timedelta(1)).isoformat(),
        ),
        next_url=url_for(
            "scheduling.resource_day",
            resource_id=resource.id,
            date=(day + timedelta(1)).isoformat(),
        ),
    )


# --- rooms of a court ------------------------------------------------------------------------


def _require_room_manager() -> None:
    if not _may_manage_rooms():
        abort(403)


@bp.route("/resources")
def courts():
    """The courts, each with a link to its rooms."""
    db = db_session()
    rows = db.scalars(select(Court).order_by(Court.name)).all()
    return render_template("scheduling/courts.html", courts=rows)


@bp.route("/courts/<int:court_id>/resources")
def resources(court_id: int):
    db = db_session()
    court = db.get(Court, court_id) or abort(404)
    listed = rooms.resources_of_court(db, court.id)
    upcoming = defaultdict(list)
    if listed:
        for w in db.scalars(
            select(ResourceWithdrawal)
            .where(
                ResourceWithdrawal.resource_id.in_([r.id for r in listed]),
                ResourceWithdrawal.end_dt > now_utc(),
            )
            .order_by(ResourceWithdrawal.start_dt)
        ):
            upcoming[w.resource_id].append(w)
    return render_template(
        "scheduling/resources.html",
        court=court,
        resources=listed,
        upcoming=upcoming,
        can_manage=_may_manage_rooms(),
        weekday_names=_weekday_names,
    )


def _resource_values(form: ResourceForm) -> dict:
    return dict(
        kind=form.kind.data,
        name=form.name.data,
        location=form.location.data or "",
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
        open_weekdays="".join(form.open_weekdays.data or []),
    )


@bp.route("/courts/<int:court_id>/resources/new", methods=["GET", "POST"])
def new_resource(court_id: int):
    _require_room_manager()
    db = db_session()
    court = db.get(Court, court_id) or abort(404)
    form = ResourceForm()
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = time(8, 0), time(18, 0)
        form.open_weekdays.data = list("12345")
    if form.validate_on_submit():
        try:
            resource = rooms.create_resource(
                db, current_user, court_id=court.id, **_resource_values(form)
            )
        except AccessDenied:
            db.rollback()
            abort(403)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"{resource.name} added to {court.name}.")
            return redirect(url_for("scheduling.resources", court_id=court.id))
    return form_page("scheduling/resource_form.html", form=form, court=court, resource=None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
def edit_resource(resource_id: int):
    _require_room_manager()
    resource = _load_resource(resource_id)
    form = ResourceForm(obj=resource)
    if request.method == "GET":
        form.open_weekdays.data = list(resource.open_weekdays)
    if form.validate_on_submit():
        db = db_session()
        try:
            changed = rooms.update_resource(
                db, current_user, resource, **_resource_values(form), is_active=form.is_active.data
            )
        except AccessDenied:
            db.rollback()
            abort(403)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"{resource.name} saved." if changed else "Nothing changed.")
            return redirect(url_for("scheduling.resources", court_id=resource.court_id))
    return form_page(
        "scheduling/resource_form.html", form=form, court=resource.court, resource=resource
    )


@bp.route("/resources/<int:resource_id>/withdraw", methods=["GET", "POST"])
def withdraw_resource(resource_id: int):
    """Take a room out of use for a period given in its court's local time."""
    _require_room_manager()
    resource = _load_resource(resource_id)
    tz = resource.court.timezone
    form = WithdrawalForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            start = local_to_utc(form.start_date.data, form.start_time.data, tz, "start_time")
            end = local_to_utc(form.end_date.data, form.end_time.data, tz, "end_time")
            rooms.withdraw_resource(db, current_user, resource, start, end, form.reason.data)
        except AccessDenied:
            db.rollback()
            abort(403)
        except DomainError as exc:
            db.rollback()
            if exc.field in ("start", "end"):
                exc.field = f"{exc.field}_time"
            apply_domain_error(form, exc)
        else:
            affected = [
                a
                for a in appointments_for_resource(db, resource.id, start, end)
                if a.status.is_active
            ]
            db.commit()
            flash(f"{resource.name} withdrawn from use.")
            if affected:
                flash(
                    f"{len(affected)} booking(s) of {resource.name} fall in that period and "
                    "must be moved: see the room's day.",
                    "warning",
                )
            return redirect(url_for("scheduling.resources", court_id=resource.court_id))
    withdrawals = [w for w in resource.withdrawals if w.end_dt > now_utc()]
    return form_page(
        "scheduling/withdraw.html", form=form, resource=resource, tz=tz, withdrawals=withdrawals
    )


# --- interpreters ----------------------------------------------------------------------------


@bp.route("/interpreters", methods=["GET", "POST"])
def interpreters():
    """The office's interpreters, and adding one."""
    if current_user.role not in OFFICE_ROLES:
        abort(403)
    db = db_session()
    form = InterpreterForm()
    if form.validate_on_submit():
        try:
            interpreter = rooms.create_interpreter(
                db,
                current_user,
                name=form.name.data,
                languages=form.language_list(),
                email=form.email.data or None,
            )
        except AccessDenied:
            db.rollback()
            abort(403)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"Interpreter {interpreter.name} added.")
            return redirect(url_for("scheduling.interpreters"))
    listed = rooms.interpreters_of(db, current_user.organisation_id)
    return form_page("scheduling/interpreters.html", form=form, interpreters=listed)
