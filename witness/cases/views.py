"""Cases: list, detail, create, edit, defendants."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from witness.auth.models import Role
from witness.auth.services import staff_choices
from witness.cases.forms import CaseForm, DefendantForm
from witness.cases.models import Case, CaseStatus, Court, Defendant
from witness.cases.services import add_defendant, create_case, update_case, update_defendant
from witness.core.access import (
    CASE_EDITOR_ROLES,
    can_edit_case,
    get_case,
    visible_cases,
    visible_witnesses,
)
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.forms import options
from witness.core.text import normalise
from witness.core.web import Page, apply_domain_error, form_page, page_arg, refuse
from witness.db import db_session
from witness.people.models import Participation, Witness

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _load_case(case_id: int) -> Case:
    db = db_session()
    try:
        return get_case(db, current_user, case_id)
    except NotFound:
        db.commit()  # keep the audit row of the refusal
        abort(404)


def _fill_choices(form: CaseForm) -> None:
    db = db_session()
    courts = db.scalars(select(Court).order_by(Court.name))
    form.court_id.choices = options((c.id, c.name) for c in courts)
    prosecutors = staff_choices(db, Role.prosecutor, organisation_id=current_user.organisation_id)
    none_yet = SelectChoice("", "— none yet —")
    form.lead_prosecutor_id.choices = [none_yet, *options((p.id, p.name) for p in prosecutors)]


@bp.route("/")
def index():
    query = select(Case).where(visible_cases(current_user)).order_by(Case.id.desc())
    q = normalise(request.args.get("q", "")).strip()[:100]
    if q:
        query = query.where(
            or_(
                Case.reference.icontains(q, autoescape=True),
                Case.title.icontains(q, autoescape=True),
            )
        )
    status = request.args.get("status", "")
    if status in {s.value for s in CaseStatus}:
        query = query.where(Case.status == CaseStatus(status))
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "cases/index.html",
        page=page,
        q=q,
        status=status,
        statuses=list(CaseStatus),
        can_create=current_user.role in CASE_EDITOR_ROLES,
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    if current_user.role not in CASE_EDITOR_ROLES:
        refuse("case.create_refused", object_type="case")
    form = CaseForm()
    _fill_choices(form)
    if form.validate_on_submit():
        db = db_session()
        try:
            case = create_case(
                db,
                current_user,
                court_id=form.court_id.data,
                reference=form.reference.data,
                title=form.title.data,
                offences=form.offences.data,
                status=form.status.data,
                lead_prosecutor_id=form.lead_prosecutor_id.data,
                notes=form.notes.data,
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"Case {case.reference} opened. Add its defendants below.")
            return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/form.html", form=form, case=None)


@bp.route("/<int:case_id>")
def detail(case_id: int):
    case = _load_case(case_id)
    db = db_session()
    participations = db.scalars(
        select(Participation)
        .join(Witness, Participation.witness_id == Witness.id)
        .where(Participation.case_id == case.id, visible_witnesses(current_user))
        .order_by(Witness.reference)
    ).all()
    return render_template(
        "cases/detail.html",
        case=case,
        participations=participations,
        can_edit=can_edit_case(current_user, case),
        defendant_form=DefendantForm(formdata=None),
    )


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = _load_case(case_id)
    if not can_edit_case(current_user, case):
        refuse("case.change_refused", case)
    form = CaseForm(obj=case)
    _fill_choices(form)
    if request.method == "GET":
        form.offences.data = case.offence_categories
    if form.validate_on_submit():
        db = db_session()
        try:
            changed = update_case(
                db,
                current_user,
                case,
                court_id=form.court_id.data,
                reference=form.reference.data,
                title=form.title.data,
                offences=form.offences.data,
                status=form.status.data,
                lead_prosecutor_id=form.lead_prosecutor_id.data,
                notes=form.notes.data,
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash("Case saved." if changed else "Nothing changed.")
            return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/form.html", form=form, case=case)


@bp.route("/<int:case_id>/defendants", methods=["POST"])
def add_defendant_view(case_id: int):
    case = _load_case(case_id)
    if not can_edit_case(current_user, case):
        refuse("case.change_refused", case)
    form = DefendantForm()
    if form.validate():
        db = db_session()
        add_defendant(
            db,
            current_user,
            case,
            form.name.data,
            form.custody_status.data,
            form.expected_release_date.data,
        )
        db.commit()
        flash(f"Defendant {form.name.data} added.")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/defendant_form.html", form=form, case=case, defendant=None), 400


@bp.route("/<int:case_id>/defendants/<int:defendant_id>/edit", methods=["GET", "POST"])
def edit_defendant(case_id: int, defendant_id: int):
    case = _load_case(case_id)
    defendant = db_session().get(Defendant, defendant_id)
    if defendant is None or defendant.case_id != case.id:
        # not a defendant of this case: the same answer as no such defendant
        refuse("defendant.refused", object_type="defendant", object_id=defendant_id)
    if not can_edit_case(current_user, case):
        refuse("defendant.change_refused", defendant)
    form = DefendantForm(obj=defendant)
    if form.validate_on_submit():
        db = db_session()
        try:
            changed = update_defendant(
                db,
                current_user,
                defendant,
                name=form.name.data,
                custody_status=form.custody_status.data,
                expected_release_date=form.expected_release_date.data,
            )
        except AccessDenied:
            refuse("defendant.change_refused", defendant)
        db.commit()
        flash(f"Defendant {defendant.name} saved." if changed else "Nothing changed.")
        return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/defendant_form.html", form=form, case=case, defendant=defendant)
