"""Witness files, their participation in cases, and phase changes."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing, paginate
from witness.api.problems import ApiProblem
from witness.api.schemas import (
    IDENTITY_FIELDS,
    ParticipationInput,
    ParticipationSchema,
    PhaseChangeInput,
    PhaseChangeSchema,
    WitnessChanges,
    WitnessInput,
    WitnessListArgs,
    WitnessPage,
    WitnessSchema,
)
from witness.audit.services import record_event
from witness.auth.models import User
from witness.core.access import can_see_identity, get_witness
from witness.core.errors import NotFound
from witness.db import db_session
from witness.people import queries, services
from witness.people.models import Participation, Witness

bp = ApiBlueprint(
    "api_witnesses",
    __name__,
    tag="Witnesses",
    description="Witness files, their cases and phase changes.",
)


class WitnessFile:
    """A witness as the caller may see it: without the identity attributes unless
    ``can_see_identity`` allows them, so the schema leaves them out of the answer."""

    def __init__(self, witness: Witness, identity_visible: bool) -> None:
        self._witness = witness
        self.identity_visible = identity_visible

    def __getattr__(self, name: str):
        if name in IDENTITY_FIELDS and not self.identity_visible:
            raise AttributeError(name)
        return getattr(self._witness, name)


def _shown(session: Session, user: User, witness: Witness) -> WitnessFile:
    """The file as ``user`` may see it; the reading is audited like the page's."""
    identity = can_see_identity(session, user, witness)
    record_event(session, user, "witness.view", witness, witness_id=witness.id, identity=identity)
    session.commit()
    return WitnessFile(witness, identity)


@bp.route("/witnesses")
class Witnesses(MethodView):
    @bp.arguments(WitnessListArgs, location="query")
    @bp.response(200, WitnessPage)
    def get(self, args):
        """Witnesses you may see, by reference; identity fields are never listed.

        Filter by a phase (in any of the witness's cases), by case, or by part of the reference.
        """
        query = queries.witness_list(
            api_user(),
            reference=args.get("q") or "",
            phase=args.get("phase"),
            case_id=args.get("case_id"),
        )
        return paginate(db_session(), query, args["page"], args["per_page"])

    @bp.arguments(WitnessInput)
    @bp.response(201, WitnessSchema)
    @bp.problems(403, 409, 422)
    def post(self, data):
        """Open a witness file in your office (admin, supervisor, liaison officer).

        A liaison officer who opens a file is assigned to it. The reference must be unused (409).
        """
        db, user = db_session(), api_user()
        with committing(db, user, "witness"):
            witness = services.create_witness(db, user, **data)
        location = url_for("api_witnesses.WitnessItem", witness_id=witness.id)
        return _shown(db, user, witness), {"Location": location}


@bp.route("/witnesses/<int:witness_id>")
class WitnessItem(MethodView):
    @bp.response(200, WitnessSchema)
    @bp.problems(404)
    def get(self, witness_id: int):
        """One witness file; the reading is recorded in the audit log."""
        db, user = db_session(), api_user()
        return _shown(db, user, get_witness(db, user, witness_id))

    @bp.arguments(WitnessChanges)
    @bp.response(200, WitnessSchema)
    @bp.problems(403, 404, 409, 422)
    def patch(self, data, witness_id: int):
        """Change a witness file: only the fields sent change. The owning office only."""
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        with committing(db, user, "witness", witness, witness_id=witness.id):
            services.update_witness(db, user, witness, **data)
        return _shown(db, user, witness)


@bp.route("/witnesses/<int:witness_id>/participations")
class Participations(MethodView):
    @bp.response(200, ParticipationSchema(many=True))
    @bp.problems(404)
    def get(self, witness_id: int):
        """The witness's cases, with the phase in each."""
        return get_witness(db_session(), api_user(), witness_id).participations

    @bp.arguments(ParticipationInput)
    @bp.response(201, ParticipationSchema)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, witness_id: int):
        """Add the witness to a case, in the reflection phase. The owning office only."""
        db, user = db_session(), api_user()
        witness = get_witness(db, user, witness_id)
        try:
            with committing(db, user, "witness", witness, witness_id=witness.id):
                participation = services.add_participation(
                    db,
                    user,
                    witness,
                    data["case_id"],
                    data["role"],
                    data["reason"],
                    data.get("reflection_end_date"),
                )
        except NotFound as exc:
            db.commit()  # keep the audit row of the refused case
            raise ApiProblem(
                422,
                "No such case, or your account may not see it.",
                errors={"case_id": ["No such case, or your account may not see it."]},
            ) from exc
        location = url_for("api_witnesses.ParticipationItem", participation_id=participation.id)
        return participation, {"Location": location}


def _participation(participation_id: int) -> Participation:
    """The participation if the caller may see its witness; the refusal is audited."""
    db = db_session()
    participation = db.get(Participation, participation_id)
    if participation is None:
        raise NotFound("No such participation.")
    try:
        get_witness(db, api_user(), participation.witness_id)
    except NotFound as exc:
        raise NotFound("No such participation.") from exc
    return participation


@bp.route("/participations/<int:participation_id>")
class ParticipationItem(MethodView):
    @bp.response(200, ParticipationSchema)
    @bp.problems(404)
    def get(self, participation_id: int):
        """A witness in a case: role, phase and the phases it may move to."""
        return _participation(participation_id)


@bp.route("/participations/<int:participation_id>/phase-changes")
class PhaseChanges(MethodView):
    @bp.response(200, PhaseChangeSchema(many=True))
    @bp.problems(404)
    def get(self, participation_id: int):
        """The participation's phase history, oldest first, with who moved it and why."""
        return _participation(participation_id).transitions

    @bp.arguments(PhaseChangeInput)
    @bp.response(201, PhaseChangeSchema)
    @bp.problems(403, 404, 409, 422)
    def post(self, data, participation_id: int):
        """Move a participation to another phase, with the reason. The owning office only.

        Allowed: forward one step; back from post-trial to trial (a retrial); to closed from any
        open phase; and reopening into the phase it was closed from. Other moves answer 409.
        """
        db, user = db_session(), api_user()
        participation = _participation(participation_id)
        witness = participation.witness
        with committing(db, user, "witness", witness, witness_id=witness.id):
            transition = services.change_phase(
                db, user, participation, data["phase"], data["reason"]
            )
        return transition
