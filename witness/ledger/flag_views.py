"""The supervisors' review queue of ledger flags: open flags of the office's witnesses, and
closing one with a note."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core.i18n import gettext
from witness.core.web import Page, form_page, form_transaction, load_or_404, page_arg, refuse
from witness.db import db_session
from witness.ledger import queries
from witness.ledger.flags import close_flag, may_review
from witness.ledger.forms import CloseFlagForm
from witness.ledger.models import FlagRule

bp = Blueprint("ledger_flags", __name__, url_prefix="/ledger/flags")


def _rule_arg() -> FlagRule | None:
    """``?rule=``; anything that names no rule is no filter."""
    try:
        return FlagRule(request.args.get("rule", ""))
    except ValueError:
        return None


@bp.route("/")
def index():
    """Open flags (or closed ones with ``?status=closed``), newest first, filterable by rule."""
    if not may_review(current_user):
        refuse("ledger_flag.list_refused", object_type="ledger_flag", status=403)
    closed = request.args.get("status") == "closed"
    rule = _rule_arg()
    query = queries.flag_queue(current_user, closed=closed, rule=rule)
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
    if not may_review(current_user):
        refuse(
            "ledger_flag.close_refused", object_type="ledger_flag", object_id=flag_id, status=403
        )
    flag = load_or_404(queries.get_flag, flag_id)
    form = CloseFlagForm()
    if form.validate_on_submit():
        with form_transaction(
            form, refusal="ledger_flag.close_refused", obj=flag, witness_id=flag.witness_id
        ):
            close_flag(db_session(), current_user, flag, form.note.data)
        if form.succeeded:
            flash(gettext("Flag closed."))
            return redirect(url_for("ledger_flags.index"))
    return form_page("ledger/flags_close.html", form=form, flag=flag)
