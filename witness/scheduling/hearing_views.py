"""Pages for hearings, special measures, news to tell a witness, and a court's day list.

Times are entered and shown in the court's timezone and stored in UTC. Booking pages belong to
the ``scheduling`` blueprint; this one only links to them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import NoReturn
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from witness.audit.services import record_event
from witness.auth.models import User
from witness.cases.models import Case, Court, Hearing, HearingChange, HearingStatus
from witness.core.access import (
    can_edit_case,
    can_manage_witness,
    can_record_needs,
    get_case,
    get_hearing,
    get_witness,
    visible_appointments,
    visible_cases,
    visible_witnesses,
)
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.time import day_bounds, now_utc, today_in
from witness.core.web import apply_domain_error, date_arg, form_page, local_dt, refuse
from witness.db import db_session
from witness.notify.models import News
from witness.notify.news import mark_told, untold_news
from witness.people.models import Participation, Witness
from witness.scheduling.hearing_forms import (
    ConfirmForm,
    DecideMeasureForm,
    HearingForm,
    MoveHearingForm,
    ProposeMeasureForm,
    ToldForm,
    VacateHearingForm,
    WithdrawMeasureForm,
)
from witness.scheduling.hearings import (
    create_hearing,
    mark_held,
    move_hearing,
    vacate_hearing,
)
from witness.scheduling.measures import (
    EVIDENCE_HEARINGS,
    apply_for_measure,
    decide_measure,
    needs_video_link_booking,
    propose_measure,
    withdraw_measure,
)
from witness.scheduling.models import (
    Appointment,
    AppointmentStatus,
    MeasureKind,
    MeasureStatus,
    Resource,
    ResourceKind,
    SpecialMeasure,
)
from witness.scheduling.services import MAX_DURATION

bp = Blueprint("hearings", __name__)

ACTIVE_HEARING = (HearingStatus.listed, HearingStatus.moved)
ACTIVE_APPOINTMENT = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
KIND_ORDER = {kind: i for i, kind in enumerate(MeasureKind)}


# --- links to the booking pages of the scheduling blueprint ----------------------------------


@bp.app_template_global()
def book_url(witness_id: int, hearing_id: int | None = None, kind: str | None = None) -> str:
    """The booking form for a witness, pre-filled from a hearing."""
    args = {k: v for k, v in (("hearing_id", hearing_id), ("kind", kind)) if v is not None}
    try:
        return url_for("scheduling.book", witness_id=witness_id, **args)
    except BuildError:  # the scheduling pages are not registered (yet): the agreed address
        query = f"?{urlencode(args)}" if args else ""
        return f"/witnesses/{witness_id}/appointments/new{query}"


@bp.app_template_global()
def appointment_url(appointment_id: int) -> str:
    try:
        return url_for("scheduling.appointment", appointment_id=appointment_id)
    except BuildError:
        return f"/appointments/{appointment_id}"


@bp.app_template_global()
def case_hearings(case: Case) -> list[Hearing]:
    """The hearings of a case, for its page."""
    return list(
        db_session().scalars(
            select(Hearing)
            .where(Hearing.case_id == case.id)
            .order_by(Hearing.start_dt, Hearing.id)
            .options(joinedload(Hearing.courtroom))
        )
    )


# --- loading what a route works on, with audited refusals -------------------------------------


def _load_case(case_id: int) -> Case:
    db = db_session()
    try:
        return get_case(db, current_user, case_id)
    except NotFound:
        db.commit()  # keep the audit row of the refusal
        abort(404)


def _load_hearing(hearing_id: int) -> Hearing:
    db = db_session()
    try:
        return get_hearing(db, current_user, hearing_id)
    except NotFound:
        db.commit()
        abort(404)


def _load_witness(witness_id: int) -> Witness:
    db = db_session()
    try:
        return get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()
        abort(404)


def _load_measure(measure_id: int) -> SpecialMeasure:
    """The measure if the user may see its witness; otherwise an (audited) 404."""
    measure = db_session().get(SpecialMeasure, measure_id)
    if measure is None:
        refuse("measure.refused", object_type="special_measure", object_id=measure_id)
    _load_witness(measure.witness_id)
    return measure


def _refuse(action: str, obj, message: str, **detail) -> NoReturn:
    """The user sees the record but may not change it: audit the attempt, answer 403."""
    db = db_session()
    db.rollback()
    record_event(db, current_user, action, obj, **detail)
    db.commit()
    abort(403, message)


def _distinct_ids(form, prefix: str) -> None:
    """Several forms share one page: give their fields distinct HTML ids."""
    for f in form:
        f.id = f.label.field_id = f"{prefix}-{f.name}"


def _courtroom_choices(court_id: int, empty_label: str = "—"):
    rooms = db_session().execute(
        select(Resource.id, Resource.name)
        .where(
            Resource.court_id == court_id,
            Resource.kind == ResourceKind.courtroom,
            Resource.is_active.is_(True),
        )
        .order_by(Resource.name)
    )
    return [SelectChoice("", empty_label), *options(rooms)]


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "Check what you entered and try again."


# --- listing a hearing -----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/hearings/new", methods=["GET", "POST"])
def new_hearing(case_id: int):
    """List a hearing of a case, its times entered in the court's timezone."""
    case = _load_case(case_id)
    if not can_edit_case(current_user, case):
        refuse("hearing.create_refused", case)
    tz = case.court.timezone
    form = HearingForm()
    form.courtroom_id.choices = _courtroom_choices(case.court_id)
    if form.validate_on_submit():
        db = db_session()
        try:
            start, end = form.instants(tz)
            hearing = create_hearing(
                db,
                current_user,
                case,
                type=form.type.data,
                start=start,
                end=end,
                courtroom_id=form.courtroom_id.data,
                external_ref=form.external_ref.data,
                notes=form.notes.data or "",
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            proposed = db.scalars(
                select(SpecialMeasure.witness_id).where(SpecialMeasure.hearing_id == hearing.id)
            ).all()
            db.commit()
            message = f"{hearing.type.label} listed for {local_dt(hearing.start_dt, tz)}."
            if proposed:
                message += (
                    f" {_plural(len(proposed), 'standard special measure')} proposed for "
                    f"{_plural(len(set(proposed)), 'witness', 'witnesses')}."
                )
            elif hearing.type in EVIDENCE_HEARINGS:
                message += " No child or trafficking complainant needs standard measures."
            flash(message)
            return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    return form_page("hearings/new.html", form=form, case=case, tz=tz)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- a hearing's page and its changes ----------------------------------------------------------


def _hearing_context(hearing: Hearing, **bound) -> dict:
    db = db_session()
    tz = hearing.court.timezone
    changes = db.scalars(
        select(HearingChange)
        .where(HearingChange.hearing_id == hearing.id)
        .order_by(HearingChange.id)
        .options(joinedload(HearingChange.actor))
    ).all()
    participations = db.scalars(
        select(Participation)
        .join(Witness, Witness.id == Participation.witness_id)
        .where(Participation.case_id == hearing.case_id, visible_witnesses(current_user))
        .order_by(Witness.reference)
        .options(contains_eager(Participation.witness))
    ).all()
    witness_ids = [p.witness_id for p in participations]
    measures: dict[int, list[SpecialMeasure]] = defaultdict(list)
    if witness_ids:
        rows = db.scalars(
            select(SpecialMeasure).where(
                SpecialMeasure.hearing_id == hearing.id, SpecialMeasure.witness_id.in_(witness_ids)
            )
        )
        for m in sorted(rows, key=lambda m: KIND_ORDER[m.kind]):
            measures[m.witness_id].append(m)
    appointments = db.scalars(
        select(Appointment)
        .where(Appointment.hearing_id == hearing.id, visible_appointments(current_user))
        .order_by(Appointment.start_dt, Appointment.id)
        .options(selectinload(Appointment.witness), joinedload(Appointment.resource))
    ).all()
    active = hearing.status in ACTIVE_HEARING
    editable = active and can_edit_case(current_user, hearing.case)
    context = dict(
        hearing=hearing,
        tz=tz,
        changes=changes,
        participations=participations,
        measures=measures,
        appointments=appointments,
        can_edit=editable,
        upcoming=active and hearing.end_dt > now_utc(),
        manages={p.witness_id: can_manage_witness(current_user, p.witness) for p in participations},
        kinds=list(MeasureKind),
        MeasureStatus=MeasureStatus,
    )
    if editable:
        forms = {
            "move_form": _move_form(hearing, tz),
            "vacate_form": VacateHearingForm(formdata=None),
        } | bound
        for name, form in forms.items():
            _distinct_ids(form, name.removesuffix("_form"))
        context.update(forms)
    return context


def _move_form(hearing: Hearing, tz: str, formdata=None) -> MoveHearingForm:
    zone = ZoneInfo(tz)
    start, end = hearing.start_dt.astimezone(zone), hearing.end_dt.astimezone(zone)
    form = MoveHearingForm(
        formdata=formdata,
        data={"day": start.date(), "start": start.time(), "end": end.time()},
    )
    form.courtroom_id.choices = _courtroom_choices(hearing.court_id, "— keep as listed —")
    return form


def _render_hearing(hearing: Hearing, status: int = 200, **bound):
    return render_template("hearings/detail.html", **_hearing_context(hearing, **bound)), status


@bp.route("/hearings/<int:hearing_id>")
def detail(hearing_id: int):
    """A hearing: its history, the witnesses the user sees with their measures, appointments."""
    return _render_hearing(_load_hearing(hearing_id))


def _load_editable(hearing_id: int) -> Hearing:
    hearing = _load_hearing(hearing_id)
    if not can_edit_case(current_user, hearing.case):
        _refuse(
            "hearing.change_refused",
            hearing,
            "Only the case's office changes its hearings.",
            case_id=hearing.case_id,
        )
    return hearing


@bp.route("/hearings/<int:hearing_id>/move", methods=["GET", "POST"])
def move(hearing_id: int):
    """Move to another day or time; appointments serving the hearing are flagged."""
    if request.method == "GET":
        return redirect(url_for("hearings.detail", hearing_id=hearing_id))
    hearing = _load_editable(hearing_id)
    tz = hearing.court.timezone
    form = _move_form(hearing, tz, formdata=request.form)
    db = db_session()
    if form.validate():
        try:
            start, end = form.instants(tz)
            flagged = move_hearing(
                db,
                current_user,
                hearing,
                start=start,
                end=end,
                reason=form.reason.data,
                courtroom_id=form.courtroom_id.data,
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(
                f"Hearing moved to {local_dt(hearing.start_dt, tz)}. "
                f"{_plural(len(flagged), 'appointment')} flagged for rescheduling."
            )
            return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    flash("Nothing was changed: correct the highlighted field.", "error")
    return _render_hearing(hearing, 400, move_form=form)


@bp.route("/hearings/<int:hearing_id>/vacate", methods=["GET", "POST"])
def vacate(hearing_id: int):
    """Take the hearing out of the list, with a reason."""
    if request.method == "GET":
        return redirect(url_for("hearings.detail", hearing_id=hearing_id))
    hearing = _load_editable(hearing_id)
    form = VacateHearingForm()
    db = db_session()
    if form.validate():
        try:
            vacate_hearing(db, current_user, hearing, form.reason.data)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash("Hearing vacated. Appointments serving it are flagged for rescheduling.")
            return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    flash("Nothing was changed: correct the highlighted field.", "error")
    return _render_hearing(hearing, 400, vacate_form=form)


@bp.route("/hearings/<int:hearing_id>/held", methods=["POST"])
def held(hearing_id: int):
    hearing = _load_editable(hearing_id)
    db = db_session()
    if ConfirmForm().validate():
        try:
            mark_held(db, current_user, hearing)
        except DomainError as exc:
            db.rollback()
            flash(exc.message, "error")
            return _render_hearing(hearing, 400)
        db.commit()
        flash("Hearing marked as held.")
    return redirect(url_for("hearings.detail", hearing_id=hearing.id))


# --- special measures --------------------------------------------------------------------------


def _measures_context(witness: Witness, propose_form: ProposeMeasureForm | None = None) -> dict:
    db = db_session()
    measures = db.scalars(
        select(SpecialMeasure)
        .join(Hearing, Hearing.id == SpecialMeasure.hearing_id)
        .where(SpecialMeasure.witness_id == witness.id)
        .order_by(Hearing.start_dt, Hearing.id)
        .options(contains_eager(SpecialMeasure.hearing).joinedload(Hearing.case))
    ).all()
    by_hearing: dict[Hearing, list[SpecialMeasure]] = {}
    for m in sorted(measures, key=lambda m: (m.hearing.start_dt, m.hearing_id, KIND_ORDER[m.kind])):
        by_hearing.setdefault(m.hearing, []).append(m)
    manage = can_manage_witness(current_user, witness)
    context = dict(
        witness=witness, by_hearing=by_hearing, can_manage=manage, MeasureStatus=MeasureStatus
    )
    if manage:
        form = propose_form or ProposeMeasureForm(formdata=None)
        _propose_choices(form, witness)
        context["propose_form"] = form
    return context


def _propose_choices(form: ProposeMeasureForm, witness: Witness) -> None:
    """Hearings still to come in the witness's cases."""
    hearings = db_session().scalars(
        select(Hearing)
        .where(
            Hearing.case_id.in_(
                select(Participation.case_id).where(Participation.witness_id == witness.id)
            ),
            Hearing.status.in_(ACTIVE_HEARING),
            Hearing.end_dt > now_utc(),
        )
        .order_by(Hearing.start_dt, Hearing.id)
        .options(joinedload(Hearing.case))
    )
    form.hearing_id.choices = [EMPTY_CHOICE, *options((h.id, _hearing_label(h)) for h in hearings)]


def _hearing_label(hearing: Hearing) -> str:
    when = local_dt(hearing.start_dt, hearing.case.court.timezone)
    return f"{hearing.type.label}, {hearing.case.reference}, {when}"


def _render_measures(witness: Witness, status: int = 200, **kw):
    return render_template("hearings/measures.html", **_measures_context(witness, **kw)), status


def _back_from_measure(measure: SpecialMeasure):
    if request.args.get("back") == "hearing":
        return redirect(url_for("hearings.detail", hearing_id=measure.hearing_id))
    return redirect(url_for("hearings.witness_measures", witness_id=measure.witness_id))


def _measure_error(measure: SpecialMeasure, message: str):
    """Show the page the action came from again, with the refusal (status 400)."""
    db_session().rollback()
    flash(f"Nothing was changed: {message}", "error")
    if request.args.get("back") == "hearing":
        return _render_hearing(measure.hearing, 400)
    return _render_measures(measure.witness, 400)


def _refuse_measure(measure: SpecialMeasure) -> NoReturn:
    _refuse(
        "measure.change_refused",
        measure,
        "Only the witness's office changes their special measures.",
        witness_id=measure.witness_id,
    )


@bp.route("/witnesses/<int:witness_id>/measures", methods=["GET", "POST"])
def witness_measures(witness_id: int):
    """All the witness's special measures, by hearing; the office proposes more here."""
    witness = _load_witness(witness_id)
    if request.method == "GET":
        return _render_measures(witness)
    if not can_manage_witness(current_user, witness):
        _refuse(
            "measure.change_refused",
            witness,
            "Only the witness's office proposes special measures.",
            witness_id=witness.id,
        )
    form = ProposeMeasureForm()
    _propose_choices(form, witness)
    from_hearing = request.args.get("back") == "hearing"
    db = db_session()
    if form.validate():
        hearing = db.get(Hearing, form.hearing_id.data)
        try:
            measure = propose_measure(db, current_user, witness, hearing, form.kind.data)
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"{measure.kind.label} proposed for {witness.reference}.")
            if from_hearing:
                return redirect(url_for("hearings.detail", hearing_id=hearing.id))
            return redirect(url_for("hearings.witness_measures", witness_id=witness.id))
    if from_hearing and form.hearing_id.data in {c.value for c in form.hearing_id.choices}:
        hearing = db.get(Hearing, form.hearing_id.data)
        flash(f"Nothing was changed: {_first_error(form)}", "error")
        return _render_hearing(hearing, 400)
    return _render_measures(witness, 400, propose_form=form)


@bp.route("/measures/<int:measure_id>/apply", methods=["POST"])
def apply(measure_id: int):
    """The application for the measure has gone to the court."""
    measure = _load_measure(measure_id)
    if not ConfirmForm().validate():
        return _measure_error(measure, "the form has expired; reload the page.")
    db = db_session()
    try:
        apply_for_measure(db, current_user, measure)
    except AccessDenied:
        _refuse_measure(measure)
    except DomainError as exc:
        return _measure_error(measure, exc.message)
    db.commit()
    flash(f"{measure.kind.label}: applied for.")
    return _back_from_measure(measure)


@bp.route("/measures/<int:measure_id>/decide", methods=["POST"])
def decide(measure_id: int):
    """Record the court's decision; a granted video link leads on to booking the session."""
    measure = _load_measure(measure_id)
    form = DecideMeasureForm()
    if not form.validate():
        return _measure_error(measure, _first_error(form))
    db = db_session()
    granted = form.decision.data == "granted"
    try:
        decide_measure(db, current_user, measure, granted=granted, note=form.note.data or "")
    except AccessDenied:
        _refuse_measure(measure)
    except DomainError as exc:
        return _measure_error(measure, exc.message)
    book = needs_video_link_booking(db, measure)
    db.commit()
    if book:
        flash("Video link granted: book the video-link session.")
        return redirect(book_url(measure.witness_id, measure.hearing_id, "video_link"))
    flash(
        f"{measure.kind.label} {'granted' if granted else 'refused'}. "
        "The witness must be told: it is listed on their page."
    )
    return _back_from_measure(measure)


@bp.route("/measures/<int:measure_id>/withdraw", methods=["POST"])
def withdraw(measure_id: int):
    measure = _load_measure(measure_id)
    form = WithdrawMeasureForm()
    if not form.validate():
        return _measure_error(measure, _first_error(form))
    db = db_session()
    try:
        withdraw_measure(db, current_user, measure, form.note.data)
    except AccessDenied:
        _refuse_measure(measure)
    except DomainError as exc:
        return _measure_error(measure, exc.message)
    db.commit()
    flash(f"{measure.kind.label} withdrawn.")
    return _back_from_measure(measure)


# --- news to tell the witness --------------------------------------------------------------


@bp.route("/news/<int:news_id>/told", methods=["POST"])
def told(news_id: int):
    """Record that the witness was told the news, and how."""
    db = db_session()
    news = db.get(News, news_id)
    if news is None:
        refuse("news.refused", object_type="news", object_id=news_id)
    witness = _load_witness(news.witness_id)
    back = redirect(url_for("people.detail", witness_id=witness.id) + "#coming-up")
    form = ToldForm()
    if not form.validate():
        flash(f"Nothing was recorded: {_first_error(form)}", "error")
        return back
    try:
        mark_told(db, current_user, news.id, form.note.data)
    except AccessDenied:
        _refuse(
            "news.change_refused",
            news,
            "You may not record this for the witness.",
            witness_id=witness.id,
        )
    except DomainError as exc:
        db.rollback()
        flash(f"Nothing was recorded: {exc.message}", "error")
        return back
    db.commit()
    flash(f"Recorded that {witness.reference} was told: {news.summary}")
    return back


def coming_up(session: Session, actor: User, witness: Witness) -> dict:
    """The witness page's "Coming up": appointments, measures for hearings still to come, and
    news the witness must be told. Each is one query, with what the page shows loaded."""
    now = now_utc()
    appointments = session.scalars(
        select(Appointment)
        .where(
            Appointment.witness_id == witness.id,
            Appointment.end_dt >= now,
            Appointment.status.in_(ACTIVE_APPOINTMENT),
        )
        .order_by(Appointment.start_dt)
        .limit(20)
        .options(
            joinedload(Appointment.resource).joinedload(Resource.court),
            joinedload(Appointment.hearing).joinedload(Hearing.court),
            joinedload(Appointment.case),
        )
    ).all()
    measures = session.scalars(
        select(SpecialMeasure)
        .join(Hearing, Hearing.id == SpecialMeasure.hearing_id)
        .where(SpecialMeasure.witness_id == witness.id, Hearing.end_dt >= now)
        .order_by(Hearing.start_dt, Hearing.id)
        .options(contains_eager(SpecialMeasure.hearing).joinedload(Hearing.case))
    ).all()
    by_hearing: dict[Hearing, list[SpecialMeasure]] = {}
    for m in sorted(measures, key=lambda m: (m.hearing.start_dt, m.hearing_id, KIND_ORDER[m.kind])):
        by_hearing.setdefault(m.hearing, []).append(m)
    news = untold_news(session, witness)
    return dict(
        upcoming_appointments=appointments,
        upcoming_measures=list(by_hearing.items()),
        untold_news=news,
        can_tell=bool(news) and can_record_needs(actor, witness),
    )


# --- a court's day ---------------------------------------------------------------------------


@bp.route("/courts/day")
def court_days():
    """Choose a court to see its day list."""
    courts = db_session().scalars(select(Court).order_by(Court.name)).all()
    return render_template("hearings/courts.html", courts=courts)


@bp.route("/courts/<int:court_id>/day")
def court_day(court_id: int):
    """A court's hearings of one day, and the appointments in its rooms that day: of cases and
    witnesses the user may see, witnesses by reference only."""
    db = db_session()
    court = db.get(Court, court_id)
    if court is None:
        refuse("court.refused", object_type="court", object_id=court_id)
    tz = court.timezone
    day = date_arg("date") or today_in(tz)
    # The day's bounds are midnights at the court: 23 or 25 hours apart when the clocks change.
    zone = ZoneInfo(tz)
    start, end = day_bounds(day, tz)
    # Plain rows of the columns the list shows: no witness's name is even read, and a long
    # day costs no ORM bookkeeping per row.
    hearings = db.execute(
        select(
            Hearing.id,
            Hearing.case_id,
            Hearing.type,
            Hearing.status,
            Hearing.start_dt,
            Hearing.end_dt,
            Case.reference.label("case_reference"),
            Resource.name.label("courtroom"),
        )
        .join(Case, Case.id == Hearing.case_id)
        .outerjoin(Resource, Resource.id == Hearing.courtroom_id)
        .where(
            Hearing.court_id == court.id,
            Hearing.start_dt >= start,
            Hearing.start_dt < end,
            visible_cases(current_user),
        )
        .order_by(Hearing.start_dt, Hearing.id)
    ).all()
    appointments = db.execute(
        select(
            Appointment.id,
            Appointment.kind,
            Appointment.status,
            Appointment.start_dt,
            Appointment.end_dt,
            Appointment.needs_reschedule,
            Appointment.witness_id,
            Resource.name.label("room"),
            Resource.kind.label("room_kind"),
        )
        # the court's few rooms, then each room's day from the (resource, start) index
        .join(Resource, Resource.id == Appointment.resource_id)
        .where(
            Resource.court_id == court.id,
            # bounded below by the longest appointment, so the range stays on the index
            Appointment.start_dt > start - MAX_DURATION,
            Appointment.start_dt < end,
            Appointment.end_dt > start,
            Appointment.status != AppointmentStatus.cancelled,
            # EXISTS on each row's witness; joining witnesses here made PostgreSQL hash the
            # whole table (36 ms -> 1.3 ms at 100,000 witnesses)
            visible_appointments(current_user),
        )
        .order_by(Appointment.start_dt, Appointment.id)
    ).all()
    references = dict(
        db.execute(
            select(Witness.id, Witness.reference).where(
                Witness.id.in_({a.witness_id for a in appointments})
            )
        ).all()
    )

    def clock(instant: datetime) -> str:
        local = instant.astimezone(zone)
        return f"{local:%H:%M} {local.tzname()}"

    return render_template(
        "hearings/court_day.html",
        court=court,
        tz=tz,
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=today_in(tz),
        hearings=[(h, clock(h.start_dt), clock(h.end_dt)) for h in hearings],
        appointments=[
            # began the day before
            (a, references[a.witness_id], clock(a.start_dt), clock(a.end_dt), a.start_dt < start)
            for a in appointments
        ],
    )
