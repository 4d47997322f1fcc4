"""The supervisors' review queue of ledger flags: open flags of the office's witnesses, and
closing one with a note."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from witness.audit.services import record_event
from witness.core.errors import AccessDenied, DomainError
from witness.core.forms import plain_text, strip_filter
from witness.core.web import Page, apply_domain_error, form_page, page_arg
from witness.db import db_session
from witness.ledger.flags import REVIEWER_ROLES, close_flag
from witness.ledger.models import FlagRule, LedgerFlag
from witness.people.models import Witness

bp = Blueprint("ledger_flags", __name__, url_prefix="/ledger/flags")


class CloseFlagForm(FlaskForm):
    note = TextAreaField(
        "What you found",
        validators=[
            InputRequired(message="Say what you found and why the flag can be closed."),
            Length(max=4000),
            plain_text,
        ],
        filters=[strip_filter],
    )


def _require_reviewer() -> None:
    if current_user.role not in REVIEWER_ROLES:
        abort(403)


def _office_flags():
    return (
        select(LedgerFlag)
        .join(Witness, Witness.id == LedgerFlag.witness_id)
        .where(Witness.organisation_id == current_user.organisation_id)
        .options(joinedload(LedgerFlag.witness), joinedload(LedgerFlag.item))
    )


def _load_flag(flag_id: int) -> LedgerFlag:
    db = db_session()
    flag = db.scalar(_office_flags().where(LedgerFlag.id == flag_id))
    if flag is None:
        record_event(
            db, current_user, "ledger_flag.refused", object_type="ledger_flag", object_id=flag_id
        )
        db.commit()
        abort(404)
    return flag


@bp.route("/")
def index():
    """Open flags (or closed ones with ``?status=closed``), newest first, filterable by rule."""
    _require_reviewer()
    closed = request.args.get("status") == "closed"
    query = _office_flags()
    if closed:
        query = query.where(LedgerFlag.closed_dt.is_not(None)).order_by(
            LedgerFlag.closed_dt.desc(), LedgerFlag.id.desc()
        )
    else:
        query = query.where(LedgerFlag.closed_dt.is_(None)).order_by(
            LedgerFlag.raised_dt.desc(), LedgerFlag.id.desc()
        )
    rule = None
    if request.args.get("rule"):
        try:
            rule = FlagRule(request.args["rule"])
        except ValueError:
            rule = None
    if rule is not None:
        query = query.where(LedgerFlag.rule == rule)
    page = Page(db_session(), query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "ledger/flags.html",
        page=page,
        rule=rule,
        rules=list(FlagRule),
        closed=closed,
        form=CloseFlagForm(),
    )


@bp.route("/<int:flag_id>/close", methods=["GET", "POST"])
def close(flag_id: int):
    _require_reviewer()
    flag = _load_flag(flag_id)
    form = CloseFlagForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            close_flag(db, current_user, flag, form.note.data)
        except AccessDenied:
            abort(403)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.commit()
            flash("Flag closed.")
            return redirect(url_for("ledger_flags.index"))
    return form_page("ledger/flags_close.html", form=form, flag=flag)
