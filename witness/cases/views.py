"""Cases: list, detail, create, edit, defendants."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from witness.auth.models import Role
from witness.auth.services import staff_choices
from witness.cases import queries
from witness.cases.forms import CaseForm, DefendantForm
from witness.cases.models import Case, CaseStatus
from witness.cases.services import add_defendant, create_case, update_case, update_defendant
from witness.core.access import CASE_EDITOR_ROLES, can_edit_case
from witness.core.forms import options
from witness.core.i18n import gettext, lazy_gettext
from witness.core.text import normalise
from witness.core.web import Page, form_page, form_transaction, load_or_404, page_arg, refuse
from witness.db import db_session

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _editable(case_id: int) -> Case:
    """A case the user's office may change; otherwise an audited 404 ("case.change_refused")."""
    return load_or_404(Case, case_id, can_edit_case)


def _fill_choices(form: CaseForm) -> None:
    db = db_session()
    form.court_id.choices = options((c.id, c.name) for c in queries.courts(db))
    prosecutors = staff_choices(db, Role.prosecutor, organisation_id=current_user.organisation_id)
    none_yet = SelectChoice("", lazy_gettext("— none yet —"))
    form.lead_prosecutor_id.choices = [none_yet, *options((p.id, p.name) for p in prosecutors)]


def _case_fields(form: CaseForm) -> dict:
    return dict(
        court_id=form.court_id.data,
        reference=form.reference.data,
        title=form.title.data,
        offences=form.offences.data,
        status=form.status.data,
        lead_prosecutor_id=form.lead_prosecutor_id.data,
        notes=form.notes.data,
    )


@bp.route("/")
def index():
    """Cases the user may see, newest first: search by reference or title, filter by status."""
    q = normalise(request.args.get("q", "")).strip()[:100]
    status = request.args.get("status", "")
    chosen = next((s for s in CaseStatus if s.value == status), None)
    query = queries.case_list(current_user, search=q, status=chosen)
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
        with form_transaction(form, refusal="case.create_refused"):
            case = create_case(db_session(), current_user, **_case_fields(form))
        if form.succeeded:
            flash(
                gettext(
                    "Case %(reference)s opened. Add its defendants below.", reference=case.reference
                )
            )
            return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/form.html", form=form, case=None)


@bp.route("/<int:case_id>")
def detail(case_id: int):
    case = load_or_404(Case, case_id)
    return render_template(
        "cases/detail.html",
        case=case,
        participations=queries.visible_participations(db_session(), current_user, case),
        can_edit=can_edit_case(current_user, case),
        defendant_form=DefendantForm(formdata=None),
    )


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = _editable(case_id)
    form = CaseForm(obj=case)
    _fill_choices(form)
    if request.method == "GET":
        form.offences.data = case.offence_categories
    if form.validate_on_submit():
        with form_transaction(form, refusal="case.change_refused", obj=case):
            changed = update_case(db_session(), current_user, case, **_case_fields(form))
        if form.succeeded:
            flash("Case saved." if changed else "Nothing changed.")
            return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/form.html", form=form, case=case)


@bp.route("/<int:case_id>/defendants", methods=["POST"])
def add_defendant_view(case_id: int):
    case = _editable(case_id)
    form = DefendantForm()
    if form.validate():
        with form_transaction(form, refusal="case.change_refused", obj=case):
            add_defendant(
                db_session(),
                current_user,
                case,
                form.name.data,
                form.custody_status.data,
                form.expected_release_date.data,
            )
        if form.succeeded:
            flash(gettext("Defendant %(data)s added.", data=form.name.data))
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/defendant_form.html", form=form, case=case, defendant=None), 400


@bp.route("/<int:case_id>/defendants/<int:defendant_id>/edit", methods=["GET", "POST"])
def edit_defendant(case_id: int, defendant_id: int):
    case = load_or_404(Case, case_id)
    # not a defendant of this case: the same answer as no such defendant ("defendant.refused")
    defendant = load_or_404(
        lambda session, actor, ident: queries.defendant_of(session, actor, case, ident),
        defendant_id,
        lambda actor, found: can_edit_case(actor, found.case),
        refusal="defendant.change_refused",
    )
    form = DefendantForm(obj=defendant)
    if form.validate_on_submit():
        with form_transaction(form, refusal="defendant.change_refused", obj=defendant):
            changed = update_defendant(
                db_session(),
                current_user,
                defendant,
                name=form.name.data,
                custody_status=form.custody_status.data,
                expected_release_date=form.expected_release_date.data,
            )
        if form.succeeded:
            flash(f"Defendant {defendant.name} saved." if changed else "Nothing changed.")
            return redirect(url_for("cases.detail", case_id=case.id))
    return form_page("cases/defendant_form.html", form=form, case=case, defendant=defendant)
