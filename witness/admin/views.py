"""Administration: courts, organisations and the users of the administrator's organisation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from witness.admin import queries, services
from witness.admin.forms import (
    CourtForm,
    EndSessionsForm,
    OrganisationForm,
    ResetSecondFactorForm,
    SecondFactorPolicyForm,
    SystemTokenForm,
    UserEditForm,
    UserForm,
)
from witness.auth.models import Role, User
from witness.auth.tokens import create_system_token
from witness.cases.models import Court
from witness.cases.queries import courts as all_courts
from witness.core.i18n import gettext
from witness.core.web import SESSION_VERSION, form_page, form_transaction, load_or_404, refuse
from witness.db import db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    if not current_user.is_authenticated:
        return  # sent to sign in by core.web before this runs
    if current_user.role is not Role.admin:
        refuse("admin.refused", object_type="page", path=request.path, method=request.method)


@bp.route("/courts", methods=["GET", "POST"])
def courts():
    return _court_page(None)


@bp.route("/courts/<int:court_id>/edit", methods=["GET", "POST"])
def edit_court(court_id: int):
    return _court_page(load_or_404(queries.get_court, court_id))


def _court_page(court: Court | None):
    """Add a court (the list page) or change one (its own page): one form, one service."""
    form = CourtForm(obj=court)
    if form.validate_on_submit():
        with form_transaction(form, refusal="admin.refused", obj=court):
            services.save_court(
                db_session(),
                current_user,
                court,
                name=form.name.data,
                address=form.address.data,
                timezone=form.timezone.data,
            )
        if form.succeeded:
            flash(
                gettext("Court %(name)s saved.", name=form.name.data)
                if court
                else gettext("Court %(name)s added.", name=form.name.data)
            )
            return redirect(url_for("admin.courts"))
    if court is not None:
        return form_page("admin/court_form.html", form=form, court=court)
    return form_page("admin/courts.html", form=form, courts=all_courts(db_session()))


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="admin.refused"):
            services.add_organisation(
                db_session(), current_user, name=form.name.data, kind=form.kind.data
            )
        if form.succeeded:
            flash(gettext("Organisation %(data)s added.", data=form.name.data))
            return redirect(url_for("admin.organisations"))
    rows = queries.organisations(db_session())
    return form_page("admin/organisations.html", form=form, organisations=rows)


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="admin.refused"):
            services.add_user(
                db_session(),
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            )
        if form.succeeded:
            flash(
                gettext(
                    "%(data)s can now sign in as %(lower)s.",
                    data=form.name.data,
                    lower=form.role.data.label.lower(),
                )
            )
            return redirect(url_for("admin.users"))
    rows = queries.office_users(db_session(), current_user.organisation_id)
    return form_page(
        "admin/users.html",
        form=form,
        users=rows,
        policy_form=SecondFactorPolicyForm(
            data={"required": current_user.organisation.require_second_factor}
        ),
        reset_form=ResetSecondFactorForm(),
    )


@bp.route("/second-factor", methods=["POST"])
def second_factor_policy():
    """Require a second factor of everyone in the organisation, or only of its administrators
    and supervisors (who always need one)."""
    form = SecondFactorPolicyForm()
    if not form.validate():
        flash(gettext("The form has expired; reload the page and try again."), "error")
        return redirect(url_for("admin.users"))
    with form_transaction(refusal="admin.refused") as outcome:
        changed = services.set_second_factor_policy(db_session(), current_user, form.required.data)
    if outcome.succeeded and changed:
        flash(
            gettext("Everyone in your organisation now needs a second factor to sign in.")
            if form.required.data
            else gettext("Only administrators and supervisors now need a second factor.")
        )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["POST"])
def reset_second_factor(user_id: int):
    """Take away a colleague's second factor (a lost phone); their sessions end."""
    user = _colleague(user_id)
    form = ResetSecondFactorForm()
    if not form.validate():
        flash(gettext("The form has expired; reload the page and try again."), "error")
        return redirect(url_for("admin.users"))
    with form_transaction(refusal="user.second_factor_reset_refused", obj=user) as outcome:
        services.reset_second_factor(db_session(), current_user, user)
    if outcome.succeeded:
        if user.id == current_user.id:
            logout_user()
            session.clear()
            flash(gettext("Your second factor is reset and your sessions have ended."))
            return redirect(url_for("auth.login"))
        flash(
            gettext(
                "The second factor of %(name)s is reset and their sessions have ended. They "
                "set it up again when they next sign in.",
                name=user.name,
            )
        )
    return redirect(url_for("admin.users"))


def _colleague(user_id: int) -> User:
    """A user of the administrator's organisation; any other id is an audited 404."""
    return load_or_404(queries.get_colleague, user_id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _colleague(user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.password.data = ""
    if form.validate_on_submit():
        with form_transaction(form, refusal="admin.refused", obj=user):
            services.update_user(
                db_session(),
                current_user,
                user,
                name=form.name.data,
                role=form.role.data,
                is_enabled=form.is_enabled.data,
                password=form.password.data or None,
            )
        if form.succeeded:
            if user.id == current_user.id:
                # A new password of one's own ends one's other sessions, not this one.
                session[SESSION_VERSION] = user.session_version
            flash(gettext("%(data)s saved.", data=form.name.data))
            return redirect(url_for("admin.users"))
    return form_page("admin/user_form.html", form=form, user=user, end_form=EndSessionsForm())


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
def end_sessions(user_id: int):
    """Sign the user out of every computer and phone at once."""
    user = _colleague(user_id)
    form = EndSessionsForm()
    if not form.validate():
        flash(gettext("The form has expired; reload the page and try again."), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    with form_transaction(refusal="admin.refused", obj=user) as outcome:
        services.end_user_sessions(db_session(), current_user, user)
    if not outcome.succeeded:
        return redirect(url_for("admin.edit_user", user_id=user.id))
    if user.id == current_user.id:
        logout_user()
        session.clear()
        flash(gettext("All your sessions have ended, this one too. Sign in again to go on."))
        return redirect(url_for("auth.login"))
    flash(gettext("Every session of %(name)s has ended: they must sign in again.", name=user.name))
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/event-token", methods=["POST"])
def system_token(user_id: int):
    """A token for a system account (a court's or prison's system) that may only post and read
    case events; its value is shown on this one response only."""
    user = _colleague(user_id)
    form = SystemTokenForm()
    created = None
    if form.validate():
        with form_transaction(form, refusal="admin.refused", obj=user):
            created = create_system_token(
                db_session(), current_user, user, form.name.data, form.days.data
            )
        if not form.succeeded:
            created = None
    status = 200 if created else 400
    return render_template("admin/system_token.html", user=user, form=form, created=created), status
