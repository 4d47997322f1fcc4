"""Administration: courts, organisations and the users of the administrator's organisation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from witness.admin import services
from witness.admin.forms import CourtForm, OrganisationForm, UserEditForm, UserForm
from witness.auth.models import Organisation, Role, User
from witness.cases.models import Court
from witness.core.errors import DomainError
from witness.core.web import SESSION_VERSION, apply_domain_error, form_page, refuse
from witness.db import db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    if not current_user.is_authenticated:
        return  # sent to sign in by core.web before this runs
    if current_user.role is not Role.admin:
        refuse("admin.refused", object_type="page", path=request.path, method=request.method)


def _save(form, action, success: str, endpoint: str):
    """Run one service call for a valid form; commit and redirect, or show the refusal."""
    db = db_session()
    try:
        action(db)
    except DomainError as exc:
        db.rollback()
        apply_domain_error(form, exc)
        return None
    db.commit()
    flash(success)
    return redirect(url_for(endpoint))


@bp.route("/courts", methods=["GET", "POST"])
def courts():
    return _court_page(None)


@bp.route("/courts/<int:court_id>/edit", methods=["GET", "POST"])
def edit_court(court_id: int):
    court = db_session().get(Court, court_id)
    if court is None:
        refuse("court.refused", object_type="court", object_id=court_id)
    return _court_page(court)


def _court_page(court: Court | None):
    """Add a court (the list page) or change one (its own page): one form, one service."""
    form = CourtForm(obj=court)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda db: services.save_court(
                db,
                current_user,
                court,
                name=form.name.data,
                address=form.address.data,
                timezone=form.timezone.data,
            ),
            f"Court {form.name.data} {'saved' if court else 'added'}.",
            "admin.courts",
        )
        if done:
            return done
    if court is not None:
        return form_page("admin/court_form.html", form=form, court=court)
    rows = db_session().scalars(select(Court).order_by(Court.name)).all()
    return form_page("admin/courts.html", form=form, courts=rows)


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        done = _save(
            form,
            lambda db: services.add_organisation(
                db, current_user, name=form.name.data, kind=form.kind.data
            ),
            f"Organisation {form.name.data} added.",
            "admin.organisations",
        )
        if done:
            return done
    rows = db_session().scalars(select(Organisation).order_by(Organisation.name)).all()
    return form_page("admin/organisations.html", form=form, organisations=rows)


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if form.validate_on_submit():
        done = _save(
            form,
            lambda db: services.add_user(
                db,
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            ),
            f"{form.name.data} can now sign in as {form.role.data.label.lower()}.",
            "admin.users",
        )
        if done:
            return done
    rows = (
        db_session()
        .scalars(
            select(User)
            .where(User.organisation_id == current_user.organisation_id)
            .order_by(User.is_enabled.desc(), User.name)
        )
        .all()
    )
    return form_page("admin/users.html", form=form, users=rows)


def _load_colleague(user_id: int) -> User:
    """A user of the administrator's organisation; any other id is an audited 404."""
    user = db_session().get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        refuse("user.refused", object_type="user", object_id=user_id)
    return user


class EndSessionsForm(FlaskForm):
    """Ending a user's sessions asks nothing: the form carries only its CSRF token."""


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _load_colleague(user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.password.data = ""
    if form.validate_on_submit():
        done = _save(
            form,
            lambda db: services.update_user(
                db,
                current_user,
                user,
                name=form.name.data,
                role=form.role.data,
                is_enabled=form.is_enabled.data,
                password=form.password.data or None,
            ),
            f"{form.name.data} saved.",
            "admin.users",
        )
        if done:
            if user.id == current_user.id:
                # A new password of one's own ends one's other sessions, not this one.
                session[SESSION_VERSION] = user.session_version
            return done
    return form_page("admin/user_form.html", form=form, user=user, end_form=EndSessionsForm())


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
def end_sessions(user_id: int):
    """Sign the user out of every computer and phone at once."""
    user = _load_colleague(user_id)
    form = EndSessionsForm()
    if not form.validate():
        flash("The form has expired; reload the page and try again.", "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    db = db_session()
    services.end_user_sessions(db, current_user, user)
    db.commit()
    if user.id == current_user.id:
        logout_user()
        session.clear()
        flash("All your sessions have ended, this one too. Sign in again to go on.")
        return redirect(url_for("auth.login"))
    flash(f"Every session of {user.name} has ended: they must sign in again.")
    return redirect(url_for("admin.edit_user", user_id=user.id))
