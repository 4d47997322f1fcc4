"""Witness files: list, detail with timeline, create, edit, phases, consents, assignments,
needs and the witness's choice of invite detail."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.auth.models import Role
from witness.cases.services import find_case
from witness.core import access
from witness.core.forms import EMPTY_CHOICE, options
from witness.core.i18n import gettext
from witness.core.text import normalise
from witness.core.time import now_utc
from witness.core.web import (
    Page,
    form_page,
    form_transaction,
    id_arg,
    load_or_404,
    page_arg,
    record_view,
    refuse,
)
from witness.db import db_session
from witness.people import queries, services
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
from witness.people.models import Assignment, NeedsAssessment, Participation, Phase, Witness
from witness.people.phases import allowed_targets
from witness.risk.queries import summary as risk_summary
from witness.scheduling.queries import coming_up
from witness.subject_access.queries import summary as own_data_summary

bp = Blueprint("people", __name__, url_prefix="/witnesses")
CREATORS = (Role.admin, Role.supervisor, Role.liaison_officer)


def _managed(witness_id: int) -> Witness:
    """A witness whose file the user's office manages; otherwise an audited 404."""
    return load_or_404(Witness, witness_id, access.can_manage_witness)


def _of_witness(witness: Witness, model, ident: int, refusal: str):
    """A record of this witness named in the URL; another witness's is an audited 404."""
    return load_or_404(
        lambda session, actor, i: queries.record_of(
            session, actor, witness, model, i, refusal=refusal
        ),
        ident,
    )


def _court_choices():
    return [EMPTY_CHOICE, *options(queries.court_options(db_session()))]


@bp.route("/")
def index():
    """Witnesses the user may see: search by reference, filter by phase and case."""
    q = normalise(request.args.get("q", "")).strip()[:60]
    phase = next((p for p in Phase if p.value == request.args.get("phase", "")), None)
    case_id = id_arg("case_id")
    case_reference = normalise(request.args.get("case", "")).strip()[:60]
    query = queries.witness_list(
        current_user,
        reference=q,
        phase=phase,
        case_id=case_id,
        case_reference=case_reference,
    )
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "people/index.html",
        page=page,
        q=q,
        phase=phase.value if phase else "",
        case_id=case_id,
        case_reference=case_reference,
        phases=list(Phase),
        can_create=current_user.role in CREATORS,
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    if current_user.role not in CREATORS:
        refuse("witness.create_refused", object_type="witness")
    form = WitnessForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.create_refused"):
            witness = services.create_witness(db_session(), current_user, **form.values())
        if form.succeeded:
            flash(
                gettext(
                    "Witness file %(reference)s opened. Add them to a case below.",
                    reference=witness.reference,
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/form.html", form=form, witness=None)


def _detail_context(witness: Witness) -> dict:
    db = db_session()
    return dict(
        witness=witness,
        show_identity=access.can_see_identity(db, current_user, witness),
        can_manage=access.can_manage_witness(current_user, witness),
        can_see_access_log=access.can_see_access_log(current_user, witness),
        can_hold=access.can_hold_witness(current_user, witness),
        can_record_needs=access.can_record_needs(current_user, witness),
        is_child=witness.is_child_on(now_utc().date()),
        timeline=services.witness_timeline(db, witness),
        consents=services.current_consents(db, witness),
        assignments=services.active_assignments(db, witness),
        needs=queries.needs_of(db, witness),
        allowed={p.id: _targets(p) for p in witness.participations},
        **coming_up(db, current_user, witness),
        risk=risk_summary(db, current_user, witness),
        own_data=own_data_summary(db, current_user, witness),
    )


@bp.route("/<int:witness_id>")
def detail(witness_id: int):
    witness = load_or_404(Witness, witness_id)
    context = _detail_context(witness)
    record_view("witness.view", witness, witness_id=witness.id, identity=context["show_identity"])
    return render_template("people/detail.html", **context)


def _targets(participation: Participation) -> list[Phase]:
    return allowed_targets(participation.phase, services.closed_from(participation))


def _consent_choices(form: ConsentForm, witness: Witness) -> None:
    cases = options((p.case.id, p.case.reference) for p in witness.participations)
    form.case_id.choices = [EMPTY_CHOICE, *cases]
    orgs = queries.organisations_to_share_with(db_session(), witness)
    form.organisation_id.choices = [EMPTY_CHOICE, *options((o.id, o.name) for o in orgs)]


@bp.route("/<int:witness_id>/edit", methods=["GET", "POST"])
def edit(witness_id: int):
    witness = _managed(witness_id)
    form = WitnessForm(obj=witness)
    if request.method == "GET":
        form.languages.data = ", ".join(witness.languages or [])
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            changed = services.update_witness(db_session(), current_user, witness, **form.values())
        if form.succeeded:
            flash("Witness file saved." if changed else "Nothing changed.")
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/form.html", form=form, witness=witness)


@bp.route("/<int:witness_id>/participations", methods=["GET", "POST"])
def add_participation(witness_id: int):
    """Add the witness to a case, on a page of its own: its list of courts (like the consent
    form's organisations) made a third of the file's time when every view rendered it."""
    witness = _managed(witness_id)
    form = ParticipationForm()
    form.court_id.choices = _court_choices()
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            db = db_session()
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
        if form.succeeded:
            flash(
                gettext(
                    "%(reference)s added to case %(reference2)s.",
                    reference=witness.reference,
                    reference2=participation.case.reference,
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/participation.html", form=form, witness=witness)


@bp.route("/<int:witness_id>/participations/<int:participation_id>/phase", methods=["GET", "POST"])
def change_phase(witness_id: int, participation_id: int):
    witness = _managed(witness_id)
    participation = _of_witness(witness, Participation, participation_id, "participation.refused")
    form = PhaseForm()
    form.phase.choices = options((p.value, p.label) for p in _targets(participation))
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            transition = services.change_phase(
                db_session(), current_user, participation, form.phase.data, form.reason.data
            )
        if form.succeeded:
            flash(
                gettext(
                    "%(reference)s moved to %(label)s in %(reference2)s.",
                    reference=witness.reference,
                    label=transition.to_phase.label,
                    reference2=participation.case.reference,
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/phase.html", form=form, witness=witness, participation=participation)


@bp.route("/<int:witness_id>/consents", methods=["GET", "POST"])
def record_consent(witness_id: int):
    witness = _managed(witness_id)
    form = ConsentForm()
    _consent_choices(form, witness)
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            consent = services.record_consent(
                db_session(),
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
        if form.succeeded:
            verb = "granted" if consent.is_granted else "withdrawn"
            flash(
                gettext(
                    "Consent %(verb)s: %(label)s — %(scope_label)s.",
                    verb=verb,
                    label=consent.kind.label,
                    scope_label=consent.scope_label,
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/consent.html", form=form, witness=witness)


@bp.route("/<int:witness_id>/assignments", methods=["GET", "POST"])
def assign(witness_id: int):
    """Assign staff on a page of its own: the list of eligible staff is long in a big office, and
    rendering it on every view of the file was a third of that page's time."""
    witness = _managed(witness_id)
    db = db_session()
    form = AssignmentForm()
    form.user_id.choices = options(
        (u.id, f"{u.name} ({u.role.label}, {u.organisation.name})")
        for u in queries.assignable_users(db, witness)
    )
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            assignment = services.assign_staff(db, current_user, witness, form.user_id.data)
        if form.succeeded:
            flash(
                gettext(
                    "%(name)s assigned to %(reference)s.",
                    name=assignment.user.name,
                    reference=witness.reference,
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    assignments = services.active_assignments(db, witness)
    return form_page("people/assign.html", form=form, witness=witness, assignments=assignments)


@bp.route("/<int:witness_id>/invite-detail", methods=["GET", "POST"])
def invite_detail(witness_id: int):
    """How much the witness's own invites say: discreet unless an informed adult chose full
    detail; the choice is recorded with its reason and kept in a history."""
    witness = _managed(witness_id)
    form = InviteDetailForm()
    if request.method == "GET":
        form.full_detail.data = "full" if witness.invites_full_detail else "discreet"
    if form.validate_on_submit():
        with form_transaction(form, refusal="witness.change_refused", witness_id=witness.id):
            set_invite_detail(
                db_session(),
                current_user,
                witness,
                full_detail=form.full_detail.data == "full",
                reason=form.reason.data,
                informed=form.informed.data,
            )
        if form.succeeded:
            now = "in full detail" if witness.invites_full_detail else "discreet"
            flash(
                gettext(
                    "%(reference)s's invites are %(now)s from now on.",
                    reference=witness.reference,
                    now=now,
                )
            )
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
    witness = _managed(witness_id)
    assignment = _of_witness(witness, Assignment, assignment_id, "assignment.refused")
    with form_transaction(refusal="witness.change_refused", witness_id=witness.id) as outcome:
        services.end_assignment(db_session(), current_user, assignment)
    if not outcome.succeeded:
        return redirect(url_for("people.detail", witness_id=witness.id))
    flash(
        gettext(
            "%(name)s is no longer assigned to %(reference)s.",
            name=assignment.user.name,
            reference=witness.reference,
        )
    )
    # An officer who ends their own assignment no longer sees the file: send them to their list.
    if not access.may_see_witness(db_session(), current_user, witness.id):
        return redirect(url_for("people.index"))
    return redirect(url_for("people.detail", witness_id=witness.id))


@bp.route("/<int:witness_id>/needs", methods=["GET", "POST"])
def record_need(witness_id: int):
    witness = load_or_404(
        Witness, witness_id, access.can_record_needs, refusal="need.record_refused"
    )
    form = NeedForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="need.record_refused", witness_id=witness.id):
            need = services.record_need(
                db_session(),
                current_user,
                witness,
                form.area.data,
                form.notes.data,
                form.review_date.data,
            )
        if form.succeeded:
            flash(
                gettext(
                    "Need recorded: %(label)s, review by %(review_date)s.",
                    label=need.area.label,
                    review_date=format(need.review_date, "%d %b %Y"),
                )
            )
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/need.html", form=form, witness=witness)


@bp.route("/<int:witness_id>/needs/<int:need_id>/review", methods=["GET", "POST"])
def review_need(witness_id: int, need_id: int):
    witness = load_or_404(Witness, witness_id)
    # another witness's need (or none) asked for under this witness: refused, audited
    need = _of_witness(witness, NeedsAssessment, need_id, "need.refused")
    if not access.can_record_needs(current_user, witness):
        refuse("need.change_refused", need, witness_id=witness.id)
    form = NeedReviewForm(obj=need)
    if form.validate_on_submit():
        with form_transaction(form, refusal="need.change_refused", obj=need, witness_id=witness.id):
            services.review_need(
                db_session(),
                current_user,
                need,
                form.notes.data,
                form.review_date.data,
                form.is_open.data,
            )
        if form.succeeded:
            flash(f"{need.area.label} need reviewed." + ("" if need.is_open else " Closed as met."))
            return redirect(url_for("people.detail", witness_id=witness.id))
    return form_page("people/need_review.html", form=form, witness=witness, need=need)
