"""Witness files: list, detail with timeline, create, edit, phases, consents, assignments, needs."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from witness.audit.services import record_event
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.cases.models import Case, Court
from witness.cases.services import find_case
from witness.core.access import (
    assignable_staff,
    can_manage_witness,
    can_record_needs,
    can_see_identity,
    get_witness,
    visible_witnesses,
)
from witness.core.errors import AccessDenied, DomainError, NotFound
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.text import normalise
from witness.core.time import now_utc
from witness.core.web import Page, apply_domain_error, form_page, id_arg, page_arg, refuse
from witness.db import db_session
from witness.people import services
from witness.people.forms import (
    AssignmentForm,
    ConsentForm,
    InviteDetailForm,
    NeedForm,
    NeedReviewForm,
    ParticipationForm,
    PhaseForm,
    WitnessForm,
)
from witness.people.invite_detail import invite_detail_history, set_invite_detail
from witness.people.models import (
    Assignment,
    NeedsAssessment,
    Participation,
    Phase,
    Witness,
)
from witness.people.phases import allowed_targets
from witness.scheduling.hearing_views import coming_up

bp = Blueprint("people", __name__, url_prefix="/witnesses")


def _load_witness(witness_id: int) -> Witness:
    """The witness if the user may see it; a refusal is audited, then answered 404."""
    db = db_session()
    try:
        return get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()
        abort(404)


def _load_managed(witness_id: int) -> Witness:
    witness = _load_witness(witness_id)
    if not can_manage_witness(current_user, witness):
        refuse("witness.change_refused", witness, witness_id=witness.id)
    return witness


def _court_choices() -> list[SelectChoice]:
    courts = db_session().execute(select(Court.id, Court.name).order_by(Court.name))
    return [EMPTY_CHOICE, *options(courts)]


@bp.route("/")
def index():
    """Witnesses the user may see: search by reference, filter by phase and case."""
    query = (
        select(Witness)
        .where(visible_witnesses(current_user))
        .order_by(Witness.reference)
        .options(selectinload(Witness.participations))
    )
    q = normalise(request.args.get("q", "")).strip()[:60]
    if q:
        query = query.where(Witness.reference.icontains(q, autoescape=True))
    phase = request.args.get("phase", "")
    case_id = id_arg("case_id")
    case_reference = normalise(request.args.get("case", "")).strip()[:60]
    conditions = [Participation.witness_id == Witness.id]
    if phase in {p.value for p in Phase}:
        conditions.append(Participation.phase == Phase(phase))
    else:
        phase = ""
    if case_id:
        conditions.append(Participation.case_id == case_id)
    if case_reference:
        conditions += [Participation.case_id == Case.id, Case.reference == case_reference]
    if len(conditions) > 1:
        query = query.where(exists().where(*conditions))
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "people/index.html",
        page=page,
        q=q,
        phase=phase,
        case_id=case_id,
        case_reference=case_reference,
        phases=list(Phase),
        can_create=current_user.role in (Role.admin, Role.supervisor, Role.liaison_officer),
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    if current_user.role not in (Role.admin, Role.supervisor, Role.liaison_officer):
        refuse("witness.create_refused", object_type="witness")
    form = WitnessForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            witness = services.create_witness(db, current_user, **form.values())
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"Witness file {witness.reference} opened. Add them to a case below.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/form.html", form=form, witness=None)


def _detail_context(witness: Witness, **bound_forms) -> dict:
    db = db_session()
    manage = can_manage_witness(current_user, witness)
    context = dict(
        witness=witness,
        show_identity=can_see_identity(db, current_user, witness),
        can_manage=manage,
        can_record_needs=can_record_needs(current_user, witness),
        is_child=witness.is_child_on(now_utc().date()),
        timeline=services.witness_timeline(db, witness),
        consents=services.current_consents(db, witness),
        assignments=services.active_assignments(db, witness),
        needs=db.scalars(
            select(NeedsAssessment)
            .where(NeedsAssessment.witness_id == witness.id)
            .order_by(NeedsAssessment.is_open.desc(), NeedsAssessment.review_date)
        ).all(),
        allowed={p.id: _targets(p) for p in witness.participations},
        **coming_up(db, current_user, witness),
    )
    if context["can_record_needs"]:
        context["need_form"] = bound_forms.pop("need_form", None) or NeedForm(formdata=None)
        _distinct_ids(context["need_form"], "need")
    if manage:
        context.update(_manage_forms(witness, **bound_forms))
    return context


@bp.route("/<int:witness_id>")
def detail(witness_id: int):
    witness = _load_witness(witness_id)
    db = db_session()
    context = _detail_context(witness)
    record_event(
        db,
        current_user,
        "witness.view",
        witness,
        witness_id=witness.id,
        identity=context["show_identity"],
    )
    db.commit()
    return render_template("people/detail.html", **context)


def _targets(participation: Participation) -> list[Phase]:
    return allowed_targets(participation.phase, services.closed_from(participation))


def _manage_forms(witness: Witness, **bound) -> dict:
    """The forms on a witness page, empty unless one was just submitted with errors."""
    forms = {
        "participation_form": ParticipationForm(formdata=None),
        "consent_form": ConsentForm(formdata=None),
    } | bound
    for name, form in forms.items():
        _distinct_ids(form, name.removesuffix("_form"))
    forms["participation_form"].court_id.choices = _court_choices()
    _consent_choices(forms["consent_form"], witness)
    return forms


def _distinct_ids(form, prefix: str) -> None:
    """Several forms share one page: give their fields distinct HTML ids (names stay as they
    are), so each label and error message points at its own field."""
    for field in form:
        field.id = field.label.field_id = f"{prefix}-{field.name}"


def _consent_choices(form: ConsentForm, witness: Witness) -> None:
    cases = options((p.case.id, p.case.reference) for p in witness.participations)
    form.case_id.choices = [EMPTY_CHOICE, *cases]
    orgs = db_session().scalars(
        select(Organisation)
        .where(
            Organisation.id != witness.organisation_id,
            Organisation.kind != OrganisationKind.prosecution,
        )
        .order_by(Organisation.name)
    )
    form.organisation_id.choices = [EMPTY_CHOICE, *options((o.id, o.name) for o in orgs)]


def _assignable(witness: Witness) -> list[SelectChoice]:
    """Who may be assigned (``access.assignable_staff``) and is not already."""
    db = db_session()
    already = select(Assignment.user_id).where(
        Assignment.witness_id == witness.id, Assignment.ended_dt.is_(None)
    )
    users = db.scalars(
        select(User).where(assignable_staff(witness), User.id.not_in(already)).order_by(User.name)
    )
    return options((u.id, f"{u.name} ({u.role.label}, {u.organisation.name})") for u in users)


def _back_to_file(witness_id: int):
    """Addresses that take a form, opened directly (a reload after an error): show the file."""
    return redirect(url_for("people.detail", witness_id=witness_id))


def _rerender_detail(witness: Witness, **bound_forms):
    """Show the witness page again with one form's errors beside its fields (status 400)."""
    db_session().rollback()
    flash("Nothing was saved: correct the highlighted field.", "error")
    return render_template("people/detail.html", **_detail_context(witness, **bound_forms)), 400


@bp.route("/<int:witness_id>/edit", methods=["GET", "POST"])
def edit(witness_id: int):
    witness = _load_managed(witness_id)
    form = WitnessForm(obj=witness)
    if request.method == "GET":
        form.languages.data = ", ".join(witness.languages or [])
    if form.validate_on_submit():
        db = db_session()
        try:
            changed = services.update_witness(db, current_user, witness, **form.values())
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash("Witness file saved." if changed else "Nothing changed.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/form.html", form=form, witness=witness)


@bp.route("/<int:witness_id>/participations", methods=["GET", "POST"])
def add_participation(witness_id: int):
    if request.method == "GET":
        return _back_to_file(witness_id)
    witness = _load_managed(witness_id)
    form = ParticipationForm()
    form.court_id.choices = _court_choices()
    if form.validate():
        db = db_session()
        try:
            case = find_case(db, current_user, form.case_reference.data, form.court_id.data)
            participation = services.add_participation(
                db,
                current_user,
                witness,
                case.id,
                form.role.data,
                form.reason.data,
                form.reflection_end_date.data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"{witness.reference} added to case {participation.case.reference}.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return _rerender_detail(witness, participation_form=form)


@bp.route("/<int:witness_id>/participations/<int:participation_id>/phase", methods=["GET", "POST"])
def change_phase(witness_id: int, participation_id: int):
    witness = _load_managed(witness_id)
    participation = db_session().get(Participation, participation_id)
    if participation is None or participation.witness_id != witness.id:
        refuse(
            "participation.refused",
            object_type="participation",
            object_id=participation_id,
            witness_id=witness.id,
        )
    form = PhaseForm()
    targets = _targets(participation)
    form.phase.choices = options((p.value, p.label) for p in targets)
    if form.validate_on_submit():
        db = db_session()
        try:
            transition = services.change_phase(
                db, current_user, participation, form.phase.data, form.reason.data
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(
                f"{witness.reference} moved to {transition.to_phase.label} in "
                f"{participation.case.reference}."
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/phase.html", form=form, witness=witness, participation=participation)


@bp.route("/<int:witness_id>/consents", methods=["GET", "POST"])
def record_consent(witness_id: int):
    if request.method == "GET":
        return _back_to_file(witness_id)
    witness = _load_managed(witness_id)
    form = ConsentForm()
    _consent_choices(form, witness)
    if form.validate():
        db = db_session()
        try:
            consent = services.record_consent(
                db,
                current_user,
                witness,
                form.kind.data,
                form.decision.data == "granted",
                case_id=form.case_id.data,
                organisation_id=form.organisation_id.data,
                includes_identity=form.includes_identity.data,
                channel=form.channel.data,
                notes=form.notes.data or "",
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.commit()
            verb = "granted" if consent.is_granted else "withdrawn"
            flash(f"Consent {verb}: {consent.kind.label} — {consent.scope_label}.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return _rerender_detail(witness, consent_form=form)


@bp.route("/<int:witness_id>/assignments", methods=["GET", "POST"])
def assign(witness_id: int):
    """Assign staff on a page of its own: the list of eligible staff is long in a big office, and
    rendering it on every view of the file was a third of that page's time."""
    witness = _load_managed(witness_id)
    form = AssignmentForm()
    form.user_id.choices = _assignable(witness)
    if form.validate_on_submit():
        db = db_session()
        try:
            assignment = services.assign_staff(db, current_user, witness, form.user_id.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash(f"{assignment.user.name} assigned to {witness.reference}.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    assignments = services.active_assignments(db_session(), witness)
    return form_page("people/assign.html", form=form, witness=witness, assignments=assignments)


@bp.route("/<int:witness_id>/invite-detail", methods=["GET", "POST"])
def invite_detail(witness_id: int):
    """How much the witness's own invites say: discreet unless an informed adult chose full
    detail; the choice is recorded with its reason and kept in a history."""
    witness = _load_managed(witness_id)
    form = InviteDetailForm()
    if request.method == "GET":
        form.full_detail.data = "full" if witness.invites_full_detail else "discreet"
    if form.validate_on_submit():
        db = db_session()
        try:
            set_invite_detail(
                db,
                current_user,
                witness,
                full_detail=form.full_detail.data == "full",
                reason=form.reason.data,
                informed=form.informed.data,
            )
        except DomainError as exc:
            db.rollback()
            apply_domain_error(form, exc)
        else:
            db.commit()
            now = "in full detail" if witness.invites_full_detail else "discreet"
            flash(f"{witness.reference}'s invites are {now} from now on.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page(
        "people/invite_detail.html",
        form=form,
        witness=witness,
        is_child=witness.is_child_on(now_utc().date()),
        history=invite_detail_history(db_session(), witness),
    )


@bp.route("/<int:witness_id>/assignments/<int:assignment_id>/end", methods=["POST"])
def end_assignment(witness_id: int, assignment_id: int):
    witness = _load_managed(witness_id)
    db = db_session()
    assignment = db.get(Assignment, assignment_id)
    if assignment is None or assignment.witness_id != witness.id:
        refuse(
            "assignment.refused",
            object_type="assignment",
            object_id=assignment_id,
            witness_id=witness.id,
        )
    try:
        services.end_assignment(db, current_user, assignment)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("people.detail", witness_id=witness.id))
    db.commit()
    flash(f"{assignment.user.name} is no longer assigned to {witness.reference}.")
    # An officer who ends their own assignment no longer sees the file: send them to their list.
    still_visible = db.scalar(
        select(Witness.id).where(Witness.id == witness.id, visible_witnesses(current_user))
    )
    if still_visible is None:
        return redirect(url_for("people.index"))
    return redirect(url_for("people.detail", witness_id=witness.id))


@bp.route("/<int:witness_id>/needs", methods=["GET", "POST"])
def record_need(witness_id: int):
    if request.method == "GET":
        return _back_to_file(witness_id)
    witness = _load_witness(witness_id)
    if not can_record_needs(current_user, witness):
        refuse("need.record_refused", witness, witness_id=witness.id)
    form = NeedForm()
    if form.validate():
        db = db_session()
        need = services.record_need(
            db, current_user, witness, form.area.data, form.notes.data, form.review_date.data
        )
        db.commit()
        flash(f"Need recorded: {need.area.label}, review by {need.review_date:%d %b %Y}.")
        return redirect(url_for("people.detail", witness_id=witness.id))
    return _rerender_detail(witness, need_form=form)


@bp.route("/<int:witness_id>/needs/<int:need_id>/review", methods=["GET", "POST"])
def review_need(witness_id: int, need_id: int):
    witness = _load_witness(witness_id)
    db = db_session()
    need = db.get(NeedsAssessment, need_id)
    if need is None or need.witness_id != witness.id:
        # another witness's need (or none) asked for under this witness: refused, audited
        refuse(
            "need.refused", object_type="needs_assessment", object_id=need_id, witness_id=witness.id
        )
    if not can_record_needs(current_user, witness):
        refuse("need.change_refused", need, witness_id=witness.id)
    form = NeedReviewForm(obj=need)
    if form.validate_on_submit():
        try:
            services.review_need(
                db, current_user, need, form.notes.data, form.review_date.data, form.is_open.data
            )
        except AccessDenied:
            refuse("need.change_refused", need, witness_id=witness.id)
        db.commit()
        flash(f"{need.area.label} need reviewed." + ("" if need.is_open else " Closed as met."))
        return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/need_review.html", form=form, witness=witness, need=need)
