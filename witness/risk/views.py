"""The risk pages: the lists of reviews due and of witnesses at high risk before a hearing,
a witness's risk (level, review due, history, incidents), an assessment, and the forms.

Who sees what is ``core.access_risk``: a refusal is an audited 404; every read is audited."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core.access_risk import (
    RiskView,
    can_assess,
    can_report,
    get_risk_witness,
    risk_view,
)
from witness.core.i18n import gettext, lazy_gettext
from witness.core.time import local_to_utc, now_utc, today_in
from witness.core.web import Page, form_transaction, load_or_404, page_arg, record_view
from witness.db import db_session
from witness.people.models import Witness
from witness.risk import bp, meetings, queries, services
from witness.risk.chart import history_chart
from witness.risk.forms import (
    AskForm,
    IncidentForm,
    ReturnForm,
    StartForm,
    answers_of,
    assessment_form,
)
from witness.risk.instrument import INSTRUMENT_LABELS, factors_of
from witness.risk.models import RiskAssessment
from witness.scheduling.models import Appointment, AppointmentKind

LIST_TITLES = {
    "overdue": lazy_gettext("Reviews overdue"),
    "week": lazy_gettext("Reviews due this week"),
    "hearing": lazy_gettext("Critical or high risk, hearing within 14 days"),
}


@bp.route("/")
def index():
    """Reviews overdue or due this week, and witnesses at high risk with a hearing soon."""
    scope = request.args.get("scope") or queries.default_scope(current_user)
    scope = scope if scope in queries.SCOPES else "mine"
    which = request.args.get("which", "overdue")
    which = which if which in queries.WHICH else "overdue"
    db, now = db_session(), now_utc()
    size = current_app.config["PAGE_SIZE"]
    if which == "hearing":
        page = Page(db, queries.high_risk_query(current_user, scope, now), page_arg(), size)
        rows = queries.describe(db, page.items, now)
    else:
        page = Page(
            db, queries.reviews_query(current_user, scope, which, now.date()), page_arg(), size
        )
        rows = page.items
    booked, bookable = {}, set()
    if which != "hearing":
        booked = meetings.meetings_for(db, [r.id for r in rows])
        bookable = {r.id for r in rows if can_assess(current_user, r.witness)}
    record_view("risk.list", scope=scope, which=which)
    return render_template(
        "risk/index.html",
        page=page,
        rows=rows,
        scope=scope,
        which=which,
        titles=LIST_TITLES,
        today=now.date(),
        booked=booked,
        bookable=bookable,
    )


def _witness_context(witness: Witness, **forms) -> dict:
    db = db_session()
    view = risk_view(db, current_user, witness)
    current = queries.current_assessment(db, witness.id)
    reviews = queries.open_reviews(db, witness.id)
    return dict(
        witness=witness,
        full=view is RiskView.full,
        current=current,
        reviews=reviews,
        booked=meetings.meetings_for(db, [r.id for r in reviews]),
        history=queries.history(db, witness.id),
        draft=queries.draft_of(db, witness.id),
        incidents=queries.incidents(db, witness.id),
        can_assess=can_assess(current_user, witness),
        can_report=can_report(db, current_user, witness),
        start_form=forms.get("start_form") or StartForm(formdata=None),
        incident_form=forms.get("incident_form") or IncidentForm(formdata=None),
        ask_form=forms.get("ask_form") or AskForm(formdata=None),
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        labels=INSTRUMENT_LABELS,
        today=today_in(witness.timezone),
        history_chart=history_chart,  # the template draws the history it was given
    )


@bp.route("/witnesses/<int:witness_id>")
def witness(witness_id: int):
    """A witness's risk: level, review due, history, incidents."""
    witness = load_or_404(get_risk_witness, witness_id)
    context = _witness_context(witness)
    record_view("risk.view", witness, witness_id=witness.id)
    return render_template("risk/witness.html", **context)


def _again(witness: Witness, name: str, form):
    flash(gettext("Nothing was saved: correct the highlighted field."), "error")
    context = _witness_context(witness, **{name: form})
    return render_template("risk/witness.html", **context), 400


@bp.route("/witnesses/<int:witness_id>/assessments", methods=["POST"])
def start(witness_id: int):
    """Start an assessment (or open the draft there is), from the last one's answers."""
    witness = load_or_404(get_risk_witness, witness_id, lambda u, w: can_assess(u, w))
    form = StartForm()
    if form.validate():
        with form_transaction(form, refusal="risk.change_refused", witness_id=witness.id):
            draft = services.start_assessment(
                db_session(), current_user, witness, form.instrument.data
            )
        if form.succeeded:
            return redirect(url_for("risk.assessment", assessment_id=draft.id))
    return _again(witness, "start_form", form)


def _assessment_page(assessment: RiskAssessment, form=None, status: int = 200):
    db = db_session()
    view = risk_view(db, current_user, assessment.witness)
    editable = assessment.is_draft and can_assess(current_user, assessment.witness)
    if editable and form is None:
        data = {f"a_{k}": v["answer"] for k, v in assessment.answers.items()}
        data |= {f"n_{k}": v["note"] for k, v in assessment.answers.items()}
        form = assessment_form(
            assessment.instrument, formdata=None, data=data, own_view=assessment.own_view
        )
    previous = db.get(RiskAssessment, assessment.previous_id) if assessment.previous_id else None
    page = render_template(
        "risk/assessment.html",
        assessment=assessment,
        witness=assessment.witness,
        factors=factors_of(assessment.instrument),
        full=view is RiskView.full,
        form=form if editable else None,
        previous=previous,
        labels=INSTRUMENT_LABELS,
    )
    return page, status


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
def assessment(assessment_id: int):
    """An assessment: the form while a draft (save or complete), read-only once completed."""
    record = load_or_404(RiskAssessment, assessment_id)
    if request.method == "GET":
        record_view("risk_assessment.view", record, witness_id=record.witness_id)
        return _assessment_page(record)
    load_or_404(RiskAssessment, assessment_id, lambda u, a: can_assess(u, a.witness) and a.is_draft)
    form = assessment_form(record.instrument)
    completing = "complete" in request.form
    if form.validate():
        answers = answers_of(form, record.instrument)
        with form_transaction(form, refusal="risk.change_refused", witness_id=record.witness_id):
            if completing:
                services.complete_assessment(
                    db_session(),
                    current_user,
                    record,
                    answers=answers,
                    own_view=form.own_view.data,
                    confirmed=form.confirmed.data,
                    override_level=form.override_level.data,
                    override_reason=form.override_reason.data,
                    review_days=current_app.config.get("WITNESS_RISK_REVIEW_DAYS"),
                )
            else:
                services.save_assessment(
                    db_session(),
                    current_user,
                    record,
                    answers=answers,
                    own_view=form.own_view.data,
                )
        if form.succeeded and completing:
            # the plan is revised after each assessment, with the witness (issue 15, item 5)
            flash(
                gettext(
                    "Assessment completed: %(lower)s risk. Now review the protection plan (add, "
                    "change or close actions) and record talking it through with the witness.",
                    lower=record.level.label.lower(),
                )
            )
            return redirect(url_for("protection.page", witness_id=record.witness_id))
        if form.succeeded:
            flash(gettext("Draft saved."))
            return redirect(url_for("risk.assessment", assessment_id=record.id))
    return _assessment_page(record, form, 400)


def _report(witness_id: int, name: str, form_cls, run, message: str):
    witness = load_or_404(get_risk_witness, witness_id, lambda u, w: can_report(db_session(), u, w))
    form = form_cls()
    if form.validate():
        with form_transaction(form, refusal="risk.change_refused", witness_id=witness.id):
            run(db_session(), witness, form)
        if form.succeeded:
            flash(message)
            return redirect(url_for("risk.witness", witness_id=witness.id))
    return _again(witness, name, form)


@bp.route("/witnesses/<int:witness_id>/incidents", methods=["POST"])
def incident(witness_id: int):
    """Record an incident: a reassessment due today, the supervisors alerted."""

    def run(db, witness, form):
        occurred = local_to_utc(form.day.data, form.time.data, witness.timezone, "day")
        services.record_incident(
            db,
            current_user,
            witness,
            kind=form.kind.data,
            reported_by=form.reported_by.data,
            occurred_dt=occurred,
            description=form.description.data,
            police_told=form.police_told.data,
            police_reference=form.police_reference.data,
        )

    return _report(
        witness_id,
        "incident_form",
        IncidentForm,
        run,
        "Incident recorded: a reassessment is due today; the supervisors are told.",
    )


@bp.route("/witnesses/<int:witness_id>/ask", methods=["POST"])
def ask(witness_id: int):
    """The witness asked for a review."""

    def run(db, witness, form):
        services.ask_for_review(db, current_user, witness, form.note.data)

    return _report(witness_id, "ask_form", AskForm, run, "A review is due within two days.")


@bp.route("/witnesses/<int:witness_id>/return", methods=["POST"])
def plan_return(witness_id: int):
    """A return to the country of origin is planned: a return assessment falls due."""

    def run(db, witness, form):
        services.plan_return(db, current_user, witness, form.return_date.data, form.note.data)

    return _report(
        witness_id, "return_form", ReturnForm, run, "Return noted: a return assessment is due."
    )


@bp.route("/meetings/<int:appointment_id>/reassess", methods=["POST"])
def reassess(appointment_id: int):
    """From a risk review meeting: open the reassessment (the draft there is, or a new one with
    the last answers to confirm or change)."""
    meeting = load_or_404(
        Appointment,
        appointment_id,
        lambda u, a: a.kind is AppointmentKind.risk_review and can_assess(u, a.witness),
        refusal="risk.change_refused",
    )
    with form_transaction(refusal="risk.change_refused", witness_id=meeting.witness_id) as done:
        draft = meetings.start_reassessment(db_session(), current_user, meeting)
    if not done.succeeded:  # the message is flashed
        return redirect(url_for("scheduling.appointment", appointment_id=meeting.id))
    return redirect(url_for("risk.assessment", assessment_id=draft.id))
