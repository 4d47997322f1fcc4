"""Appointments (book, see, reschedule, cancel, confirm, complete), a member of staff's week,
and the office's interpreters.

Times are typed and shown in local time: an appointment's zone is that of the court of its
room, else of its hearing, else of its case, else the witness's (``Appointment.timezone``); the
form reads the times it is given in the same zone, so what is typed is what is shown after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.calendar.ics import NEUTRAL_MEETING_POINT
from witness.core import access
from witness.core.i18n import gettext, lazy_gettext, weekday_names
from witness.core.time import format_span, is_valid_timezone, now_utc, today_in
from witness.core.web import (
    Outcome,
    bad_request,
    date_arg,
    form_page,
    form_transaction,
    id_arg,
    instant_arg,
    load_or_404,
    record_view,
)
from witness.db import db_session
from witness.notify.mail import delivery_summary
from witness.people.models import Witness
from witness.risk import meetings
from witness.rooms.models import ResourceKind
from witness.scheduling import bp, queries, safety, services
from witness.scheduling.conflicts import BookingConflict
from witness.scheduling.forms import (
    BookingForm,
    CancelForm,
    CompleteForm,
    InterpreterForm,
    RescheduleForm,
)
from witness.scheduling.models import Appointment, AppointmentKind

#: a risk review meeting's default time, on its review's due date (or tomorrow when overdue)
REVIEW_MEETING_AT = time(10, 0)
#: minutes before the hearing starts that staff meet the witness, by kind of appointment
MEET_BEFORE = {AppointmentKind.video_link: 30}
DEFAULT_MEET_BEFORE = 60
DEFAULT_DURATION = timedelta(hours=1)
ACTION_LABELS = {
    "appointment.book": lazy_gettext("Booked"),
    "appointment.reschedule": lazy_gettext("Rescheduled"),
    "appointment.cancel": lazy_gettext("Cancelled"),
    "appointment.confirm": lazy_gettext("Confirmed"),
    "appointment.complete": lazy_gettext("Completed"),
}


# --- links other pages use ---------------------------------------------------------------------


@bp.app_template_global()
def book_url(witness_id: int, hearing_id: int | None = None, kind: str | None = None) -> str:
    """The booking form for a witness, pre-filled from a hearing."""
    args = {k: v for k, v in (("hearing_id", hearing_id), ("kind", kind)) if v is not None}
    return url_for("scheduling.book", witness_id=witness_id, **args)


@bp.app_template_global()
def appointment_url(appointment_id: int) -> str:
    """An appointment's page."""
    return url_for("scheduling.appointment", appointment_id=appointment_id)


# --- booking -------------------------------------------------------------------------------


def _prefill(form: BookingForm, witness: Witness, choices: queries.BookingOptions) -> None:
    """A new booking's form: from the hearing when one is given (meet before it starts, stay
    to its end), the right kind of room for the kind, the user attending, an interpreter in
    the witness's first language when they need one."""
    hearing = queries.witness_hearing(db_session(), witness, id_arg("hearing_id"))
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
    tz = queries.zone_of(resource, hearing, choices.only_case, witness)
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
    if kind is AppointmentKind.risk_review:
        _prefill_review(form, witness, choices, tz)
    if witness.needs_interpreter and witness.languages:
        language = witness.languages[0]
        form.language.data = language
        speakers = [i for i in choices.interpreters if language in i.languages]
        if speakers:
            form.interpreter_id.data = speakers[0].id


def _prefill_review(form: BookingForm, witness: Witness, choices, tz: str) -> None:
    """A risk review meeting: for the review named (``?review_id=``), with the witness's
    officer, on the day it is due (tomorrow when that has passed) unless a time was given."""
    db = db_session()
    review = meetings.open_review(db, witness, id_arg("review_id"))
    form.risk_review_id.data = str(review.id) if review is not None else ""
    offered = {u.id for u in choices.staff}
    officers = [u.id for u in meetings.witness_officers(db, witness) if u.id in offered]
    if officers:
        form.staff_ids.data = sorted(set(officers) | set(form.staff_ids.data or []))
    if form.date.data is None and review is not None:
        day = max(review.due_date, today_in(tz) + timedelta(days=1))
        start = datetime.combine(day, REVIEW_MEETING_AT)
        form.date.data, form.start.data = day, start.time()
        form.end.data = (start + DEFAULT_DURATION).time()


def _suggestions(conflict: BookingConflict, tz: str) -> list[dict]:
    """The free starts the service found, as local date and times the form takes back."""
    zone = ZoneInfo(tz)
    found = []
    for start in conflict.suggestions:
        end = start + conflict.duration
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
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


def _form_page(form, witness, choices, *, tz, appointment=None, outcome: Outcome | None = None):
    """The booking (or rescheduling) form; after a clash, answered 409 with the clashes and the
    free times to choose instead (each a button that sends the form again at that time)."""
    context = dict(
        form=form, witness=witness, choices=choices, appointment=appointment, tz=tz, conflict=None
    ) | _form_notes(form, witness)
    conflict = outcome.error if outcome is not None else None
    if not isinstance(conflict, BookingConflict):
        return form_page("scheduling/book.html", **context)
    # the clashes are listed above the form with what to choose instead: not again by "From"
    form.start.errors = [e for e in form.start.errors if e != conflict.message]
    context.update(
        conflict=conflict,
        clash_messages=[c.message(tz) for c in conflict.clashes],
        suggestions=_suggestions(conflict, tz),
        carried=_carried_fields(),
    )
    return render_template("scheduling/book.html", **context), 409


def _form_notes(form: BookingForm, witness: Witness) -> dict:
    """What the booking form says beside the fields: the risk review a meeting serves, and the
    waiting room and escort warning for the hearing chosen (to those who see the risk)."""
    db = db_session()
    review = None
    if form.kind.data is AppointmentKind.risk_review:
        review = meetings.open_review(db, witness, form.review_id())
    hearing = queries.witness_hearing(db, witness, form.hearing_id.data)
    warning = safety.hearing_warning(db, current_user, witness, hearing) if hearing else None
    return dict(review=review, safety_warning=warning)


def _warnings(appointment: Appointment) -> list[str]:
    db = db_session()
    found = [
        safety.waiting_room_warning(db, appointment),
        safety.appointment_warning(db, current_user, appointment),
    ]
    return [w for w in found if w]


def _flash_booked(appointment: Appointment, warnings: list[str], verb: str) -> None:
    tz = appointment.timezone
    start = appointment.start_dt.astimezone(ZoneInfo(tz))
    members = queries.booking_members(db_session(), current_user, appointment)
    whom = ", ".join(a.witness.reference for a in members if a.status.is_active)
    flash(
        gettext(
            "%(label)s %(verb)s for %(reference)s on %(start)s %(tzname)s.",
            label=appointment.kind.label,
            verb=verb,
            reference=whom or appointment.witness.reference,
            start=format(start, "%a %d %b %Y at %H:%M"),
            tzname=start.tzname(),
        )
    )
    for warning in warnings:
        flash(warning, "warning")


@bp.route("/witnesses/<int:witness_id>/appointments/new", methods=["GET", "POST"])
def book(witness_id: int):
    """Book an appointment; pre-filled from ``?hearing_id=``, ``?kind=`` and ``?start=``."""
    witness = load_or_404(
        Witness, witness_id, access.can_manage_witness, refusal="appointment.book_refused"
    )
    db = db_session()
    choices = queries.booking_options(db, witness, actor=current_user)
    form = BookingForm()
    form.offer(choices)
    if request.method == "GET":
        _prefill(form, witness, choices)
    case = choices.only_case
    tz = queries.booking_zone(db, witness, form.resource_id.data, form.hearing_id.data, case)
    if not form.validate_on_submit():
        return _form_page(form, witness, choices, tz=tz)
    refusal = dict(refusal="appointment.book_refused", obj=witness, witness_id=witness.id)
    with form_transaction(form, **refusal) as outcome:
        booking = form.booking(tz, case.id if case else None)
        if booking.kind is AppointmentKind.risk_review or booking.risk_review_id is not None:
            appointment = meetings.book_review_meeting(db, current_user, witness, booking)
        else:
            appointment = services.book_appointment(db, current_user, witness, booking)
        warnings = _warnings(appointment)
    if outcome.succeeded:
        _flash_booked(appointment, warnings, "booked")
        return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))
    return _form_page(form, witness, choices, tz=tz, outcome=outcome)


# --- one appointment -------------------------------------------------------------------------


def _changeable(appointment_id: int, rule) -> Appointment:
    """The appointment, if the user sees it and ``rule`` lets them change it; otherwise an
    audited 404 (``appointment.refused``, ``appointment.change_refused``)."""
    return load_or_404(Appointment, appointment_id, rule, refusal="appointment.change_refused")


@contextmanager
def _changing(appointment: Appointment, form=None) -> Iterator[Outcome]:
    """``form_transaction`` for a change on the appointment's page. A refusal about the
    appointment as a whole (already cancelled, not started yet) is flashed, not put in the
    form: that form may no longer be on the page."""
    with form_transaction(
        form,
        refusal="appointment.change_refused",
        obj=appointment,
        witness_id=appointment.witness_id,
    ) as outcome:
        yield outcome
    error = outcome.error
    if form is not None and error is not None and error.message in form.form_errors:
        form.form_errors.remove(error.message)
        flash(error.message, "error")


def _appointment_page(appointment: Appointment, status: int = 200, **forms):
    db = db_session()
    manage = access.can_manage_appointment(current_user, appointment)
    update = access.can_update_status(current_user, appointment)
    tz = appointment.timezone
    travel = timedelta(minutes=appointment.travel_minutes)
    context = dict(
        appointment=appointment,
        tz=tz,
        when=format_span(appointment.start_dt, appointment.end_dt, tz),
        blocked=format_span(appointment.start_dt - travel, appointment.end_dt + travel, tz),
        can_manage=manage,
        can_update=update,
        show_location=access.can_see_place(current_user, appointment),
        witness_full_detail=access.invites_in_full_detail(appointment.witness, now_utc().date()),
        meeting_point_default=NEUTRAL_MEETING_POINT,
        can_complete=update and appointment.status.is_active and appointment.start_dt <= now_utc(),
        warnings=_warnings(appointment) if appointment.status.is_active else [],
        meeting=meetings.meeting_line(db, current_user, appointment),
        history=queries.history_of(db, appointment),
        booking_members=queries.booking_members(db, current_user, appointment),
        deliveries=delivery_summary(db, appointment.id) if manage else [],
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None),
        complete_form=forms.get("complete_form") or CompleteForm(formdata=None),
        action_labels=ACTION_LABELS,
    )
    return render_template("scheduling/appointment.html", **context), status


def _back_to(appointment_id: int):
    return redirect(url_for("scheduling.appointment", appointment_id=appointment_id))


@bp.route("/appointments/<int:appointment_id>")
def appointment(appointment_id: int):
    """An appointment: when, where, who, its history and its invites; seeing it is audited."""
    appointment = load_or_404(Appointment, appointment_id)
    record_view("appointment.view", appointment, witness_id=appointment.witness_id)
    return _appointment_page(appointment)


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
def reschedule(appointment_id: int):
    """Change time, place or people, with a reason; everyone gets an update."""
    appointment = _changeable(appointment_id, access.can_manage_appointment)
    if not appointment.status.is_active:
        flash(
            gettext(
                "A %(lower)s appointment cannot be changed.", lower=appointment.status.label.lower()
            ),
            "error",
        )
        return _back_to(appointment.id)
    db = db_session()
    witness = appointment.witness
    choices = queries.booking_options(db, witness, appointment, actor=current_user)
    form = RescheduleForm()
    form.offer(choices)
    if request.method == "GET":
        form.fill_from(appointment)
    tz = queries.booking_zone(
        db, witness, form.resource_id.data, form.hearing_id.data, appointment.case
    )
    page = dict(form=form, witness=witness, choices=choices, tz=tz, appointment=appointment)
    if not form.validate_on_submit():
        return _form_page(**page)
    with form_transaction(
        form,
        refusal="appointment.change_refused",
        obj=appointment,
        witness_id=appointment.witness_id,
    ) as outcome:
        booking = form.booking(tz, appointment.case_id)
        services.reschedule_appointment(db, current_user, appointment, booking, form.reason.data)
        warnings = _warnings(appointment)
    if outcome.succeeded:
        _flash_booked(appointment, warnings, "moved")
        return _back_to(appointment.id)
    return _form_page(**page, outcome=outcome)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
def cancel(appointment_id: int):
    """Cancel with a reason; everyone invited is sent a cancellation."""
    if request.method == "GET":
        return _back_to(appointment_id)
    appointment = _changeable(appointment_id, access.can_manage_appointment)
    form = CancelForm()
    if form.validate():
        with _changing(appointment, form):
            services.cancel_appointment(db_session(), current_user, appointment, form.reason.data)
        if form.succeeded:
            flash(gettext("Appointment cancelled; everyone invited is sent a cancellation."))
            return _back_to(appointment.id)
    return _appointment_page(appointment, 400, cancel_form=form)


@bp.route("/appointments/<int:appointment_id>/confirm", methods=["GET", "POST"])
def confirm(appointment_id: int):
    """The witness and the staff have confirmed they will come."""
    if request.method == "GET":
        return _back_to(appointment_id)
    appointment = _changeable(appointment_id, access.can_update_status)
    with _changing(appointment) as outcome:
        services.confirm_appointment(db_session(), current_user, appointment)
    if not outcome.succeeded:
        return _appointment_page(appointment, 400)
    flash(gettext("Appointment confirmed."))
    return _back_to(appointment.id)


@bp.route("/appointments/<int:appointment_id>/complete", methods=["GET", "POST"])
def complete(appointment_id: int):
    """It took place, with an optional note."""
    if request.method == "GET":
        return _back_to(appointment_id)
    appointment = _changeable(appointment_id, access.can_update_status)
    form = CompleteForm()
    if form.validate():
        with _changing(appointment, form):
            draft = meetings.complete_review_meeting(
                db_session(), current_user, appointment, form.note.data or ""
            )
        if form.succeeded and draft is not None:
            flash(
                gettext(
                    "Meeting recorded as completed: confirm or change each answer of the last "
                    "assessment."
                )
            )
            return redirect(url_for("risk.assessment", assessment_id=draft.id))
        if form.succeeded:
            flash(gettext("Appointment recorded as completed."))
            return _back_to(appointment.id)
    return _appointment_page(appointment, 400, complete_form=form)


# --- a member of staff's week ------------------------------------------------------------------


def _default_timezone() -> str:
    return current_app.config.get("DEFAULT_TIMEZONE") or "Europe/London"


def _by_local_day(appointments: list[Appointment], monday) -> tuple[dict, int]:
    """The appointments that fall on the week's days, each on its own zone's day."""
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
                "place": a.resource.name if a.resource is not None else a.address,
            }
        )
    return by_day, shown


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
    user_id = id_arg("user_id")
    owner = current_user
    if user_id is not None and user_id != current_user.id:
        owner = load_or_404(queries.week_owner, user_id)
    monday = day - timedelta(days=day.weekday())
    # Every zone's Monday starts within a day of UTC's: read a day either side, then keep what
    # falls on the week's days in its own zone.
    start = datetime.combine(monday - timedelta(days=1), time(), UTC)
    end = datetime.combine(monday + timedelta(days=8), time(), UTC)
    db = db_session()
    appointments = queries.appointments_for_staff(db, owner.id, start, end)
    preloaded = queries.preload_zones(db, appointments)
    by_day, shown = _by_local_day(appointments, monday)
    del preloaded  # every zone is read: the rows may go
    args = {"tz": tz} | ({"user_id": owner.id} if owner.id != current_user.id else {})
    return render_template(
        "scheduling/week.html",
        owner=owner,
        days=[monday + timedelta(days=i) for i in range(7)],
        by_day=by_day,
        tz=tz,
        today=today_in(tz),
        weekday_names=weekday_names(),
        prev_url=url_for("scheduling.week", date=(monday - timedelta(days=7)).isoformat(), **args),
        next_url=url_for("scheduling.week", date=(monday + timedelta(days=7)).isoformat(), **args),
        this_url=url_for("scheduling.week", **args),
        staff=queries.week_staff(db, current_user),
        count=shown,
    )


# --- interpreters ----------------------------------------------------------------------------


@bp.route("/interpreters", methods=["GET", "POST"])
def interpreters():
    """The office's interpreters, and adding one."""
    if current_user.role not in access.OFFICE_ROLES:
        abort(403)  # audited by the error handler as page.refused
    form = InterpreterForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="interpreter.create_refused"):
            interpreter = services.create_interpreter(
                db_session(),
                current_user,
                name=form.name.data,
                languages=form.language_list(),
                email=form.email.data or None,
            )
        if form.succeeded:
            flash(gettext("Interpreter %(name)s added.", name=interpreter.name))
            return redirect(url_for("scheduling.interpreters"))
    listed = queries.interpreters_of(db_session(), current_user.organisation_id)
    return form_page("scheduling/interpreters.html", form=form, interpreters=listed)
