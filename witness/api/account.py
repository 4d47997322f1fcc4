"""The caller: who the token acts for."""

from __future__ import annotations

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.schemas import MeSchema

bp = ApiBlueprint(
    "api_account", __name__, tag="Account", description="The account the token acts for."
)


@bp.route("/me")
@bp.response(200, MeSchema)
def me():
    """The user the token acts for, with their role and organisation."""
    return api_user()
