"""Routes that exist only when ``BENCHMARK_ROUTES`` is set: the benchmark's floors."""

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from witness.bench.floors import record_write_floor
from witness.core.web import form_transaction
from witness.db import db_session
from witness.people.models import Witness

bp = Blueprint("bench", __name__, url_prefix="/_bench")


@bp.route("/floor/<int:witness_id>")
def floor(witness_id: int):
    """The cheapest signed-in request: sign-in check, session, one row by primary key.

    It deliberately skips need to know; it exists only under ``BENCHMARK_ROUTES``.
    """
    witness = db_session().get(Witness, witness_id)
    if witness is None:
        abort(404)
    return {"id": witness.id, "reference": witness.reference}


@bp.route("/write-floor/<int:witness_id>", methods=["POST"])
def write_floor(witness_id: int):
    """The cheapest signed-in change, as a recording form makes it: CSRF checked, one row and
    one audit row written in one transaction, answered with a redirect."""
    with form_transaction():
        record_write_floor(db_session(), current_user, witness_id)
    return redirect(url_for("bench.floor", witness_id=witness_id))
