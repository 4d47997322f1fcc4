"""Cases, their defendants, and the courts cases are heard at."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing, paginate
from witness.api.schemas import (
    CaseChanges,
    CaseInput,
    CaseListArgs,
    CasePage,
    CaseSchema,
    CourtSchema,
    DefendantChanges,
    DefendantInput,
    DefendantSchema,
)
from witness.cases import queries, services
from witness.cases.models import Defendant
from witness.core.access import get_case
from witness.db import db_session

bp = ApiBlueprint(
    "api_cases",
    __name__,
    tag="Cases",
    description="Cases, their defendants, and the courts they are at.",
)


@bp.route("/courts")
@bp.response(200, CourtSchema(many=True))
def courts():
    """All courts, by name: where a case is heard (its court_id)."""
    return queries.courts(db_session())


@bp.route("/cases")
class Cases(MethodView):
    @bp.arguments(CaseListArgs, location="query")
    @bp.response(200, CasePage)
    def get(self, args):
        """Cases you may see, newest first.

        Your office's cases, the cases of witnesses you may see, or, for a prosecutor, the
        cases they lead.
        """
        query = queries.case_list(api_user(), status=args.get("status"))
        return paginate(db_session(), query, args["page"], args["per_page"])

    @bp.arguments(CaseInput)
    @bp.response(201, CaseSchema)
    @bp.problems(403, 409, 422)
    def post(self, data):
        """Open a case for your office.

        The reference must be new at that court (409 otherwise). A prosecutor who opens a case
        leads it unless another prosecutor is named.
        """
        db, user = db_session(), api_user()
        with committing(db, user, "case"):
            case = services.create_case(db, user, **data)
        return case, {"Location": url_for("api_cases.CaseItem", case_id=case.id)}


@bp.route("/cases/<int:case_id>")
class CaseItem(MethodView):
    @bp.response(200, CaseSchema)
    @bp.problems(404)
    def get(self, case_id: int):
        """One case."""
        return get_case(db_session(), api_user(), case_id)

    @bp.arguments(CaseChanges)
    @bp.response(200, CaseSchema)
    @bp.problems(403, 404, 409, 422)
    def patch(self, data, case_id: int):
        """Change a case: only the fields sent change. Your office's staff and prosecutors."""
        db, user = db_session(), api_user()
        case = get_case(db, user, case_id)
        with committing(db, user, "case", case):
            services.update_case(db, user, case, **data)
        return case


@bp.route("/cases/<int:case_id>/defendants")
class Defendants(MethodView):
    @bp.response(200, DefendantSchema(many=True))
    @bp.problems(404)
    def get(self, case_id: int):
        """The case's defendants."""
        return get_case(db_session(), api_user(), case_id).defendants

    @bp.arguments(DefendantInput)
    @bp.response(201, DefendantSchema)
    @bp.problems(403, 404, 422)
    def post(self, data, case_id: int):
        """Add a defendant to a case."""
        db, user = db_session(), api_user()
        case = get_case(db, user, case_id)
        with committing(db, user, "case", case):
            defendant = services.add_defendant(db, user, case, **data)
        location = url_for("api_cases.DefendantItem", defendant_id=defendant.id)
        return defendant, {"Location": location}


def _defendant(defendant_id: int) -> Defendant:
    """The defendant if the caller may see their case; the refusal is audited (``get_case``)."""
    return queries.get_defendant(db_session(), api_user(), defendant_id)


@bp.route("/defendants/<int:defendant_id>")
class DefendantItem(MethodView):
    @bp.response(200, DefendantSchema)
    @bp.problems(404)
    def get(self, defendant_id: int):
        """One defendant."""
        return _defendant(defendant_id)

    @bp.arguments(DefendantChanges)
    @bp.response(200, DefendantSchema)
    @bp.problems(403, 404, 422)
    def patch(self, data, defendant_id: int):
        """Change a defendant: custody status, expected release date, name."""
        db, user = db_session(), api_user()
        defendant = _defendant(defendant_id)
        with committing(db, user, "defendant", defendant):
            services.update_defendant(db, user, defendant, **data)
        return defendant
