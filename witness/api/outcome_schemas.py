"""What the outcome and custody event endpoints read and write (``witness.api.outcomes``).

The body checks types, lengths and text here; which columns a kind needs and takes is the
service's rule (``witness.outcomes.rules``), answered 422 with the field named."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from witness.api.ledger import GivenAmount
from witness.api.schemas import (
    Amount,
    Choice,
    Day,
    Id,
    InputSchema,
    Line,
    PageArgs,
    PageMeta,
    Text,
    WholeNumber,
)
from witness.outcomes.models import (
    EventCategory,
    EventKind,
    EventResult,
    EventSource,
    OrderKind,
    SentenceKind,
)
from witness.outcomes.rules import MAX_DAYS, MAX_MONTHS, MAX_ORDERS


class OrderSchema(InputSchema):
    """An order that comes with a sentence, bail or a licence."""

    kind = Choice(OrderKind, required=True)
    detail = Line(500, load_default="", metadata={"description": "What it forbids or requires."})
    until = Day(allow_none=True, metadata={"description": "When it ends, if it does."})


def _count(high: int, description: str) -> fields.Integer:
    return WholeNumber(
        allow_none=True,
        validate=validate.Range(min=0, max=high),
        metadata={"description": description},
    )


class EventFields(InputSchema):
    """The columns of an event; each kind takes some of them (see the endpoint's text)."""

    kind = Choice(EventKind, required=True)
    effective_date = Day(required=True, metadata={"description": "The day it took effect."})
    source = Choice(EventSource, required=True, metadata={"description": "Who said so."})
    source_system = Line(
        80,
        allow_none=True,
        metadata={
            "description": "Your system's name; defaults to your account's organisation. With "
            "external_id, makes the post idempotent."
        },
    )
    external_id = Line(
        120,
        allow_none=True,
        metadata={
            "description": "Your own id for the event: the same post again answers the same "
            "event (200); the same id with other content is a 409."
        },
    )
    charge = Line(300, allow_none=True)
    result = Choice(EventResult, allow_none=True)
    sentence_kind = Choice(SentenceKind, allow_none=True)
    sentence_months = _count(MAX_MONTHS, "A sentence's length: months.")
    sentence_days = _count(MAX_DAYS, "A sentence's length: days.")
    suspended_months = _count(MAX_MONTHS, "How long a suspended sentence is suspended.")
    orders = fields.List(
        fields.Nested(OrderSchema), validate=validate.Length(max=MAX_ORDERS), load_default=list
    )
    compensation_amount = GivenAmount(allow_none=True)
    compensation_currency = Line(3, allow_none=True, metadata={"description": "ISO 4217."})
    release_date = Day(allow_none=True, metadata={"description": "Expected release date."})
    hearing_date = Day(allow_none=True)
    deadline_date = Day(
        allow_none=True, metadata={"description": "Appeal deadline, or parole eligibility."}
    )
    institution = Line(200, allow_none=True)
    conditions = Text(4000, allow_none=True)
    note = Text(4000, allow_none=True)


class CaseEventInput(EventFields):
    defendant_id = Id(
        allow_none=True,
        metadata={"description": "The defendant (a defendant of this case); null: the whole case."},
    )


class CustodyEventInput(EventFields):
    custody_number = Line(
        40, required=True, metadata={"description": "The defendant's custody number."}
    )

    @ma.validates("kind")
    def _custody_kind(self, value: EventKind, **kwargs) -> None:
        if value.category is not EventCategory.custody:
            raise ma.ValidationError(
                "Post outcome events (plea, verdict, ...) to the case's events."
            )


class OrderOut(ma.Schema):
    kind = fields.String(required=True)
    detail = fields.String(required=True)
    until = fields.String(allow_none=True)


class EventSchema(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    defendant_id = fields.Integer(allow_none=True)
    kind = Choice(EventKind, required=True)
    category = Choice(EventCategory, required=True)
    effective_date = fields.Date(required=True)
    source = Choice(EventSource, required=True)
    source_system = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(required=True)
    recorded_dt = fields.AwareDateTime(required=True)
    supersedes_id = fields.Integer(
        allow_none=True, metadata={"description": "The event it corrects."}
    )
    correction_reason = fields.String()
    charge = fields.String()
    result = Choice(EventResult, allow_none=True)
    sentence_kind = Choice(SentenceKind, allow_none=True)
    sentence_months = fields.Integer(allow_none=True)
    sentence_days = fields.Integer(allow_none=True)
    suspended_months = fields.Integer(allow_none=True)
    orders = fields.List(fields.Nested(OrderOut))
    compensation_amount = Amount(allow_none=True)
    compensation_currency = fields.String(allow_none=True)
    release_date = fields.Date(allow_none=True)
    hearing_date = fields.Date(allow_none=True)
    deadline_date = fields.Date(allow_none=True)
    institution = fields.String()
    conditions = fields.String()
    note = fields.String()


class EventPage(PageMeta):
    items = fields.List(fields.Nested(EventSchema), required=True)


class EventList(ma.Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)


class EventListArgs(PageArgs):
    pass
