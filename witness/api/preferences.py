"""A witness's contact preferences: read them, and record new ones (the owning office)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing
from witness.api.schemas import Choice, Id, InputSchema, Line, Text
from witness.audit.services import record_event
from witness.core.access import current_preference, get_witness
from witness.core.access_after import can_read_preferences
from witness.core.errors import NotFound
from witness.db import db_session
from witness.notify.models import EmailDetail, NewsWanted
from witness.notify.preferences import record_preferences
from witness.people.models import Channel

bp = ApiBlueprint(
    "api_preferences",
    __name__,
    tag="Contact preferences",
    description="How a witness wants to be told of outcomes: news, channels, safe addresses.",
)


class PreferencesInput(InputSchema):
    news_wanted = Choice(NewsWanted, load_default=NewsWanted.everything)
    channels = fields.List(
        Choice(Channel),
        load_default=list,
        validate=validate.Length(max=5),
        metadata={"description": "Channels in order, most wanted first; each once."},
    )
    postal_name = Line(200, allow_none=True)
    postal_address = Text(1000, allow_none=True)
    discreet_envelope = fields.Boolean(load_default=True)
    email = Line(254, allow_none=True)
    email_detail = Choice(EmailDetail, load_default=EmailDetail.call_me)
    phone = Line(40, allow_none=True)
    safe_times = Line(200, allow_none=True)
    may_leave_message = fields.Boolean(load_default=False)
    language = Line(20, load_default="en")
    ngo_organisation_id = Id(allow_none=True)
    contact_person = Line(200, allow_none=True)
    contact_person_relation = Line(100, allow_none=True)
    note = Text(1000, allow_none=True)


class PreferencesSchema(ma.Schema):
    recorded = fields.Boolean()
    id = fields.Integer(allow_none=True)
    witness_id = fields.Integer()
    news_wanted = Choice(NewsWanted)
    channels = fields.List(fields.String())
    postal_name = fields.String()
    postal_address = fields.String()
    discreet_envelope = fields.Boolean()
    email = fields.String()
    email_detail = Choice(EmailDetail)
    phone = fields.String()
    safe_times = fields.String()
    may_leave_message = fields.Boolean()
    language = fields.String()
    ngo_organisation_id = fields.Integer(allow_none=True)
    contact_person = fields.String()
    contact_person_relation = fields.String()
    note = fields.String()
    recorded_dt = fields.AwareDateTime(allow_none=True)


def _answer(preference, witness_id: int) -> dict:
    if preference is None:
        return {
            "recorded": False,
            "witness_id": witness_id,
            "news_wanted": NewsWanted.everything,
            "channels": [],
            "email_detail": EmailDetail.call_me,
        }
    return {"recorded": True} | {
        name: getattr(preference, name) for name in PreferencesSchema().fields if name != "recorded"
    }


def _witness(session, user, witness_id: int):
    """The witness, if the caller may read their preferences; otherwise an audited 404."""
    witness = get_witness(session, user, witness_id)
    if not can_read_preferences(session, user, witness):
        record_event(session, user, "contact_preference.refused", witness, witness_id=witness.id)
        session.commit()
        raise NotFound("No such witness.")
    return witness


@bp.route("/witnesses/<int:witness_id>/contact-preferences")
class ContactPreferences(MethodView):
    @bp.response(200, PreferencesSchema)
    @bp.problems(404)
    def get(self, witness_id: int):
        """The preferences in force (``recorded`` false when none were): the owning office, and
        NGO workers the witness shares their identity with."""
        db, user = db_session(), api_user()
        witness = _witness(db, user, witness_id)
        record_event(db, user, "contact_preference.view", witness, witness_id=witness.id)
        db.commit()
        return _answer(current_preference(db, witness.id), witness.id)

    @bp.arguments(PreferencesInput)
    @bp.response(200, PreferencesSchema)
    @bp.problems(403, 404, 409, 422)
    def put(self, data, witness_id: int):
        """Record new preferences (they replace those in force, which stay as history); the
        witness's notify consents follow the channels; "nothing" cancels news not yet told."""
        db, user = db_session(), api_user()
        witness = _witness(db, user, witness_id)
        data["channels"] = [c.value for c in data.get("channels") or []]
        with committing(db, user, "contact_preference", witness_id=witness.id):
            preference = record_preferences(db, user, witness, **data)
        return _answer(preference, witness.id)
