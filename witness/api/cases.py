"""Cases, their defendants, and the courts cases are heard at."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

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
from witness.cases import services
from witness.cases.models import Case, Court, Defendant
from witness.core.access import get_case, visible_cases
from witness.core.errors import NotFound
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
    return db_session().scalars(select(Court).order_by(Court.name)).all()


@bp.route("/cases")
class Cases(MethodView):
    @bp.arguments(CaseListArgs, location="query")
    @bp.response(200, CasePage)
    def get(self, args):
        """Cases you may see, newest first.

        Your office's cases, the cases of witnesses you may see, or, for a prosecutor, the
        cases they lead.
        """
        query = (
            select(Case)
            .where(visible_cases(api_user()))
            .order_by(Case.id.desc())
            .options(selectinload(Case.offences))
        )
        if args.get("status") is not None:
            query = query.where(Case.status == args["status"])
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
    db = db_session()
    defendant = db.get(Defendant, defendant_id)
    if defendant is None:
        raise NotFound("No such defendant.")
    try:
        get_case(db, api_user(), defendant.case_id)
    except NotFound as exc:
        raise NotFound("No such defendant.") from exc
    return defendant


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
