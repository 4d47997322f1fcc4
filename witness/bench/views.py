"""Routes that exist only when ``BENCHMARK_ROUTES`` is set: the benchmark's floor."""

from flask import Blueprint, abort

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
