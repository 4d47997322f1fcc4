"""Pages for hearings, special measures, news to tell a witness, and a court's day list.

Times are entered and shown in the court's timezone and stored in UTC. Booking pages belong to
the ``scheduling`` blueprint; this one only links to them. Changing a hearing or a measure one
may see but not change is answered 403 (audited), as the page offers no such action.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from witness.cases.models import Case, Hearing
from witness.core import access
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.i18n import gettext, ngettext
from witness.core.time import day_bounds, now_utc, today_in
from witness.core.web import (
    date_arg,
    form_page,
    form_transaction,
    load_or_404,
    local_dt,
    record_view,
    refuse,
)
from witness.db import db_session
from witness.hearings import bp, measures, queries, services
from witness.hearings.forms import (
    ConfirmForm,
    DecideMeasureForm,
    HearingForm,
    MoveHearingForm,
    ProposeMeasureForm,
    ToldForm,
    VacateHearingForm,
    WithdrawMeasureForm,
)
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.notify.news import mark_told
from witness.people.models import Witness
from witness.rooms.queries import courtroom_options, courts
from witness.scheduling.queries import court_day_appointments, hearing_appointments
from witness.scheduling.safety import hearing_risk


@bp.app_template_global()
def case_hearings(case: Case) -> list[Hearing]:
    """The hearings of a case, for its page."""
    return queries.hearings_of_case(db_session(), case)


# --- small helpers -----------------------------------------------------------------------------


def _distinct_ids(form, prefix: str) -> None:
    """Several forms share one page: give their fields distinct HTML ids."""
    for f in form:
        f.id = f.label.field_id = f"{prefix}-{f.name}"


def _courtroom_choices(court_id: int, empty_label: str = "—"):
    return [SelectChoice("", empty_label), *options(courtroom_options(db_session(), court_id))]


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "Check what you entered and try again."


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- listing a hearing -----------------------------------------------------------------------


def _listed_message(hearing: Hearing, tz: str, proposed: list[int]) -> str:
    message = f"{hearing.type.label} listed for {local_dt(hearing.start_dt, tz)}."
    if proposed:
        message += (
            f" {_plural(len(proposed), 'standard special measure')} proposed for "
            f"{_plural(len(set(proposed)), 'witness', 'witnesses')}."
        )
    elif hearing.type in measures.EVIDENCE_HEARINGS:
        message += " No child or trafficking complainant needs standard measures."
    return message


@bp.route("/cases/<int:case_id>/hearings/new", methods=["GET", "POST"])
def new_hearing(case_id: int):
    """List a hearing of a case, its times entered in the court's timezone."""
    case = load_or_404(Case, case_id, access.can_edit_case, refusal="hearing.create_refused")
    tz = case.court.timezone
    form = HearingForm()
    form.courtroom_id.choices = _courtroom_choices(case.court_id)
    if form.validate_on_submit():
        with form_transaction(form, refusal="hearing.create_refused", obj=case):
            db = db_session()
            start, end = form.instants(tz)
            hearing = services.create_hearing(
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
            proposed = queries.proposed_for(db, hearing)
        if form.succeeded:
            flash(_listed_message(hearing, tz, proposed))
            return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    return form_page("hearings/new.html", form=form, case=case, tz=tz)


# --- a hearing's page and its changes ----------------------------------------------------------


def _hearing_context(hearing: Hearing, **bound) -> dict:
    db = db_session()
    tz = hearing.court.timezone
    participations = queries.visible_participations(db, current_user, hearing.case_id)
    active = hearing.status in queries.ACTIVE_HEARING
    editable = active and access.can_edit_case(current_user, hearing.case)
    upcoming = active and hearing.end_dt > now_utc()
    witnesses = [p.witness for p in participations]
    context = dict(
        hearing=hearing,
        tz=tz,
        changes=queries.changes_of(db, hearing),
        participations=participations,
        measures=queries.measures_at(db, hearing, [p.witness_id for p in participations]),
        appointments=hearing_appointments(db, current_user, hearing),
        can_edit=editable,
        upcoming=upcoming,
        risk=hearing_risk(db, current_user, hearing, witnesses, upcoming=upcoming),
        manages={
            p.witness_id: access.can_manage_witness(current_user, p.witness) for p in participations
        },
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


def _to_hearing(hearing_id: int, witness_id: int | None = None):
    """Back to the hearing; after a witness's measure changed, with that witness's part open."""
    if witness_id is None:
        return redirect(url_for("hearings.detail", hearing_id=hearing_id))
    anchor = f"witness-{witness_id}"
    return redirect(
        url_for("hearings.detail", hearing_id=hearing_id, witness=witness_id, _anchor=anchor)
    )


@bp.route("/hearings/<int:hearing_id>")
def detail(hearing_id: int):
    """A hearing: its history, the witnesses the user sees with their measures, appointments,
    and the risk level of those whose risk they see (each such read audited)."""
    hearing = load_or_404(Hearing, hearing_id)
    context = _hearing_context(hearing)
    for witness_id in context["risk"]:
        record_view("risk.level_view", witness_id=witness_id, hearing_id=hearing.id)
    return render_template("hearings/detail.html", **context)


def _editable(hearing_id: int) -> Hearing:
    """The hearing, if the user may change it: one they only see is an audited 403."""
    hearing = load_or_404(Hearing, hearing_id)
    if not access.can_edit_case(current_user, hearing.case):
        refuse("hearing.change_refused", hearing, status=403, case_id=hearing.case_id)
    return hearing


def _changing(hearing: Hearing, form=None):
    """``form_transaction`` for a change of the hearing."""
    return form_transaction(
        form, refusal="hearing.change_refused", obj=hearing, case_id=hearing.case_id
    )


@bp.route("/hearings/<int:hearing_id>/move", methods=["GET", "POST"])
def move(hearing_id: int):
    """Move to another day or time; appointments serving the hearing are flagged."""
    if request.method == "GET":
        return _to_hearing(hearing_id)
    hearing = _editable(hearing_id)
    tz = hearing.court.timezone
    form = _move_form(hearing, tz, formdata=request.form)
    if form.validate():
        with _changing(hearing, form):
            start, end = form.instants(tz)
            flagged = services.move_hearing(
                db_session(),
                current_user,
                hearing,
                start=start,
                end=end,
                reason=form.reason.data,
                courtroom_id=form.courtroom_id.data,
            )
        if form.succeeded:
            flash(
                ngettext(
                    "Hearing moved to %(when)s. %(num)s appointment flagged for rescheduling.",
                    "Hearing moved to %(when)s. %(num)s appointments flagged for rescheduling.",
                    len(flagged),
                    when=local_dt(hearing.start_dt, tz),
                )
            )
            return _to_hearing(hearing.id)
    flash(gettext("Nothing was changed: correct the highlighted field."), "error")
    return _render_hearing(hearing, 400, move_form=form)


@bp.route("/hearings/<int:hearing_id>/vacate", methods=["GET", "POST"])
def vacate(hearing_id: int):
    """Take the hearing out of the list, with a reason."""
    if request.method == "GET":
        return _to_hearing(hearing_id)
    hearing = _editable(hearing_id)
    form = VacateHearingForm()
    if form.validate():
        with _changing(hearing, form):
            services.vacate_hearing(db_session(), current_user, hearing, form.reason.data)
        if form.succeeded:
            flash(gettext("Hearing vacated. Appointments serving it are flagged for rescheduling."))
            return _to_hearing(hearing.id)
    flash(gettext("Nothing was changed: correct the highlighted field."), "error")
    return _render_hearing(hearing, 400, vacate_form=form)


@bp.route("/hearings/<int:hearing_id>/held", methods=["POST"])
def held(hearing_id: int):
    """The hearing took place."""
    hearing = _editable(hearing_id)
    if ConfirmForm().validate():
        with _changing(hearing) as outcome:  # a refusal is flashed
            services.mark_held(db_session(), current_user, hearing)
        if not outcome.succeeded:
            return _render_hearing(hearing, 400)
        flash(gettext("Hearing marked as held."))
    return _to_hearing(hearing.id)


# --- special measures --------------------------------------------------------------------------


def _hearing_label(hearing: Hearing) -> str:
    when = local_dt(hearing.start_dt, hearing.case.court.timezone)
    return f"{hearing.type.label}, {hearing.case.reference}, {when}"


def _propose_choices(form: ProposeMeasureForm, witness: Witness) -> None:
    """Hearings still to come in the witness's cases."""
    hearings = queries.hearings_to_come(db_session(), witness)
    form.hearing_id.choices = [EMPTY_CHOICE, *options((h.id, _hearing_label(h)) for h in hearings)]


def _render_measures(witness: Witness, status: int = 200, propose_form=None):
    manage = access.can_manage_witness(current_user, witness)
    context = dict(
        witness=witness,
        by_hearing=queries.measures_by_hearing(db_session(), witness),
        can_manage=manage,
        MeasureStatus=MeasureStatus,
    )
    if manage:
        form = propose_form or ProposeMeasureForm(formdata=None)
        _propose_choices(form, witness)
        context["propose_form"] = form
    return render_template("hearings/measures.html", **context), status


def _from_hearing() -> bool:
    """The action was sent from the hearing's page (``?back=hearing``): go back there."""
    return request.args.get("back") == "hearing"


def _back_from_measure(measure: SpecialMeasure):
    if _from_hearing():
        return _to_hearing(measure.hearing_id, measure.witness_id)
    return redirect(url_for("hearings.witness_measures", witness_id=measure.witness_id))


def _measure_error(measure: SpecialMeasure, message: str):
    """Show the page the action came from again, with the refusal (status 400)."""
    flash(gettext("Nothing was changed: %(message)s", message=message), "error")
    if _from_hearing():
        return _render_hearing(measure.hearing, 400)
    return _render_measures(measure.witness, 400)


@bp.route("/witnesses/<int:witness_id>/measures", methods=["GET", "POST"])
def witness_measures(witness_id: int):
    """All the witness's special measures, by hearing; the office proposes more here."""
    witness = load_or_404(Witness, witness_id)
    if request.method == "GET":
        return _render_measures(witness)
    if not access.can_manage_witness(current_user, witness):
        refuse("measure.change_refused", witness, status=403, witness_id=witness.id)
    form = ProposeMeasureForm()
    _propose_choices(form, witness)
    if form.validate():
        hearing = queries.find_hearing(db_session(), form.hearing_id.data)
        with form_transaction(
            form, refusal="measure.change_refused", obj=witness, witness_id=witness.id
        ):
            measure = measures.propose_measure(
                db_session(), current_user, witness, hearing, form.kind.data
            )
        if form.succeeded:
            flash(
                gettext(
                    "%(label)s proposed for %(reference)s.",
                    label=measure.kind.label,
                    reference=witness.reference,
                )
            )
            if _from_hearing():
                return _to_hearing(hearing.id, witness.id)
            return redirect(url_for("hearings.witness_measures", witness_id=witness.id))
    if _from_hearing() and form.hearing_id.data in {c.value for c in form.hearing_id.choices}:
        flash(
            gettext("Nothing was changed: %(first_error)s", first_error=_first_error(form)), "error"
        )
        return _render_hearing(queries.find_hearing(db_session(), form.hearing_id.data), 400)
    return _render_measures(witness, 400, propose_form=form)


def _changing_measure(measure: SpecialMeasure, form):
    """``form_transaction`` for a change of the measure; the view shows a refusal itself."""
    return form_transaction(
        form, refusal="measure.change_refused", obj=measure, witness_id=measure.witness_id
    )


def _may_change(measure: SpecialMeasure) -> None:
    """One who sees the witness's measures but may not change them: an audited 403."""
    if not access.can_manage_witness(current_user, measure.witness):
        refuse("measure.change_refused", measure, status=403, witness_id=measure.witness_id)


@bp.route("/measures/<int:measure_id>/apply", methods=["POST"])
def apply(measure_id: int):
    """The application for the measure has gone to the court."""
    measure = load_or_404(SpecialMeasure, measure_id)
    form = ConfirmForm()
    if not form.validate():
        return _measure_error(measure, _first_error(form))
    _may_change(measure)
    with _changing_measure(measure, form) as outcome:
        measures.apply_for_measure(db_session(), current_user, measure)
    if not outcome.succeeded:
        return _measure_error(measure, outcome.error.message)
    flash(gettext("%(label)s: applied for.", label=measure.kind.label))
    return _back_from_measure(measure)


@bp.route("/measures/<int:measure_id>/decide", methods=["POST"])
def decide(measure_id: int):
    """Record the court's decision; a granted video link leads on to booking the session."""
    measure = load_or_404(SpecialMeasure, measure_id)
    form = DecideMeasureForm()
    if not form.validate():
        return _measure_error(measure, _first_error(form))
    _may_change(measure)
    granted = form.decision.data == "granted"
    with _changing_measure(measure, form) as outcome:
        db = db_session()
        measures.decide_measure(
            db, current_user, measure, granted=granted, note=form.note.data or ""
        )
        book = measures.needs_video_link_booking(db, measure)
    if not outcome.succeeded:
        return _measure_error(measure, outcome.error.message)
    if book:
        flash(gettext("Video link granted: book the video-link session."))
        return redirect(
            url_for(
                "scheduling.book",
                witness_id=measure.witness_id,
                hearing_id=measure.hearing_id,
                kind="video_link",
            )
        )
    flash(
        gettext(
            "%(label)s granted. The witness must be told: it is listed on their page.",
            label=measure.kind.label,
        )
        if granted
        else gettext(
            "%(label)s refused. The witness must be told: it is listed on their page.",
            label=measure.kind.label,
        )
    )
    return _back_from_measure(measure)


@bp.route("/measures/<int:measure_id>/withdraw", methods=["POST"])
def withdraw(measure_id: int):
    """No longer sought: the witness does not want it, or it no longer applies."""
    measure = load_or_404(SpecialMeasure, measure_id)
    form = WithdrawMeasureForm()
    if not form.validate():
        return _measure_error(measure, _first_error(form))
    _may_change(measure)
    with _changing_measure(measure, form) as outcome:
        measures.withdraw_measure(db_session(), current_user, measure, form.note.data)
    if not outcome.succeeded:
        return _measure_error(measure, outcome.error.message)
    flash(gettext("%(label)s withdrawn.", label=measure.kind.label))
    return _back_from_measure(measure)


# --- news to tell the witness --------------------------------------------------------------


@bp.route("/news/<int:news_id>/told", methods=["POST"])
def told(news_id: int):
    """Record that the witness was told the news, and how."""
    news = load_or_404(queries.get_news, news_id)
    witness = news.witness
    back = redirect(url_for("people.detail", witness_id=witness.id) + "#coming-up")
    form = ToldForm()
    if not form.validate():
        flash(
            gettext("Nothing was recorded: %(first_error)s", first_error=_first_error(form)),
            "error",
        )
        return back
    if not access.can_record_needs(current_user, witness):
        refuse("news.change_refused", news, status=403, witness_id=witness.id)
    with form_transaction(
        form, refusal="news.change_refused", obj=news, witness_id=witness.id
    ) as outcome:
        mark_told(db_session(), current_user, news.id, form.note.data)
    if outcome.succeeded:
        flash(
            gettext(
                "Recorded that %(reference)s was told: %(summary)s",
                reference=witness.reference,
                summary=news.summary,
            )
        )
    else:
        flash(gettext("Nothing was recorded: %(message)s", message=outcome.error.message), "error")
    return back


# --- a court's day ---------------------------------------------------------------------------


@bp.route("/courts/day")
def court_days():
    """Choose a court to see its day list."""
    return render_template("hearings/courts.html", courts=courts(db_session()))


@bp.route("/courts/<int:court_id>/day")
def court_day(court_id: int):
    """A court's hearings of one day, and the appointments in its rooms that day: of cases and
    witnesses the user may see, witnesses by reference only."""
    court = load_or_404(queries.get_court, court_id)
    tz = court.timezone
    day = date_arg("date") or today_in(tz)
    # The day's bounds are midnights at the court: 23 or 25 hours apart when the clocks change.
    zone = ZoneInfo(tz)
    start, end = day_bounds(day, tz)
    db = db_session()
    hearings = queries.day_list(db, current_user, court, start, end)
    appointments, references = court_day_appointments(db, current_user, court, start, end)

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
