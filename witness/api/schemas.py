"""What the API reads and writes, as marshmallow schemas (also its OpenAPI document).

Input is checked here as the forms check it (``witness.core.text``): text is normalised to NFC,
lengths match the columns, control and text-direction characters are refused (NUL included:
PostgreSQL cannot store it), one-line fields refuse line breaks too, dates fall in 1900-2100,
ids fit the key columns, and numbers sent as text are plain ASCII digits. Unknown fields in a
body are refused, so a typo is not silently ignored.
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from witness.cases.models import CaseStatus, CustodyStatus, OffenceCategory
from witness.core.text import (
    DECIMAL_MESSAGE,
    DECIMAL_PATTERN,
    MAX_ID,
    NUMBER_MESSAGE,
    ONE_LINE_PATTERN,
    TEXT_PATTERN,
    ascii_decimal,
    ascii_int,
    normalise,
    text_problem,
)
from witness.core.time import now_utc
from witness.people.models import ParticipationRole, Phase
from witness.people.phases import allowed_targets
from witness.people.services import closed_from

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_PER_PAGE = 100

#: witness fields shown only to those who may see the witness's identity (access.can_see_identity)
IDENTITY_FIELDS = (
    "legal_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "guardian_name",
    "guardian_contact",
)


def _single_line(value: str | None) -> None:
    problem = text_problem(value, multiline=False)
    if problem:
        raise ma.ValidationError(problem)


def _plain_text(value: str | None) -> None:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ma.ValidationError(problem)


def _plausible_date(value: date | None) -> None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ma.ValidationError("Enter a date between 1900-01-01 and 2100-12-31.")


def _not_in_future(value: date | None) -> None:
    if value is not None and value > now_utc().date():
        raise ma.ValidationError("This date cannot be in the future.")


class Line(fields.String):
    """One line of plain text, in normal form C and trimmed. Optional lines may be sent blank,
    which means none."""

    #: documented in the OpenAPI schema; the validator below gives the readable message
    PATTERN = ONE_LINE_PATTERN

    def __init__(self, max_length: int, *, required: bool = False, **kwargs) -> None:
        checks = [validate.Length(min=1 if required else None, max=max_length), self.check]
        messages = {"required": "This field is required."} | kwargs.pop("error_messages", {})
        metadata = {"pattern": self.PATTERN} | kwargs.pop("metadata", {})
        self.blank_is_none = not required and kwargs.get("allow_none", False)
        super().__init__(
            required=required, validate=checks, error_messages=messages, metadata=metadata, **kwargs
        )

    @staticmethod
    def check(value: str | None) -> None:
        _single_line(value)

    def _deserialize(self, value, attr, data, **kwargs):
        value = normalise(super()._deserialize(value, attr, data, **kwargs))
        self.check(value)  # before trimming: a leading line break is still a line break
        return value.strip()


class Text(Line):
    """Plain text over several lines, in normal form C and trimmed."""

    PATTERN = TEXT_PATTERN

    @staticmethod
    def check(value: str | None) -> None:
        _plain_text(value)


class WholeNumber(fields.Integer):
    """A whole number; in a query string, written with the digits 0-9 only (marshmallow's own
    takes fullwidth "12", " 12" and "1_000")."""

    default_error_messages = {"digits": NUMBER_MESSAGE}

    def _validated(self, value):
        if isinstance(value, str) and not self.strict:
            try:
                value = ascii_int(value)
            except ValueError as exc:
                raise self.make_error("digits") from exc
        return super()._validated(value)


def Id(*, strict: bool = True, **kwargs) -> fields.Integer:
    """The id of a record (a whole number from 1 to 2**31 - 1); JSON bodies send a number."""
    return WholeNumber(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Amount(fields.Decimal):
    """A decimal, as a string of ASCII digits with an optional point ("12.50"), in and out:
    a JSON number would pass through a binary float on the way and could arrive changed."""

    default_error_messages = {"invalid": DECIMAL_MESSAGE}

    def __init__(self, **kwargs) -> None:
        metadata = {"type": "string", "pattern": DECIMAL_PATTERN} | kwargs.pop("metadata", {})
        super().__init__(as_string=True, metadata=metadata, **kwargs)

    def _validated(self, value):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return super()._validated(ascii_decimal(value))
        except ValueError as exc:
            raise self.make_error("invalid") from exc


def Day(*checks, **kwargs) -> fields.Date:
    """A calendar date, ``YYYY-MM-DD``, between 1900 and 2100."""
    metadata = {"description": "A date from 1900-01-01 to 2100-12-31."} | kwargs.pop("metadata", {})
    return fields.Date(validate=[_plausible_date, *checks], metadata=metadata, **kwargs)


def Choice(enum_cls, **kwargs) -> fields.Enum:
    """One of an enum's values, as a string."""
    return fields.Enum(enum_cls, by_value=fields.String, **kwargs)


class InputSchema(ma.Schema):
    """A request body: unknown fields are refused; optional text sent blank becomes null."""

    class Meta:
        unknown = ma.RAISE

    @ma.post_load
    def _blank_is_none(self, data: dict, **kwargs) -> dict:
        for name, field in self.fields.items():
            if getattr(field, "blank_is_none", False) and data.get(name) == "":
                data[name] = None
        return data


class ChangesSchema(InputSchema):
    """A PATCH body: only the fields sent change, so nothing is required and nothing defaults
    (``{}`` changes nothing; a missing body is refused, see ``ApiBlueprint``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = ma.missing


class QuerySchema(ma.Schema):
    """Query-string arguments: unknown ones are refused, so a misspelt filter is not silently
    ignored (the whole list would come back looking filtered)."""

    class Meta:
        unknown = ma.RAISE


class PageArgs(QuerySchema):
    page = WholeNumber(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Page number, from 1."},
    )
    per_page = WholeNumber(
        load_default=25,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )


class PageMeta(ma.Schema):
    page = fields.Integer(required=True, metadata={"description": "This page's number."})
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items on all pages."})
    pages = fields.Integer(required=True, metadata={"description": "Number of pages."})


# --- reference data and the caller ---


class OrganisationSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True, attribute="role.value")
    organisation = fields.Nested(OrganisationSchema, required=True)


class CourtSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(
        required=True, metadata={"description": "IANA zone the court's times are given in."}
    )


# --- cases and defendants ---


class CaseSchema(ma.Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(
        required=True, metadata={"description": "The prosecution office that owns the case."}
    )
    court = fields.Nested(CourtSchema, required=True)
    reference = fields.String(
        required=True, metadata={"description": "The court's number, unique at that court."}
    )
    title = fields.String(required=True)
    status = Choice(CaseStatus, required=True)
    offences = fields.List(Choice(OffenceCategory), required=True, attribute="offence_categories")
    lead_prosecutor_id = fields.Integer(required=True, allow_none=True)
    notes = fields.String(required=True)
    created_dt = fields.AwareDateTime(required=True)


class CasePage(PageMeta):
    items = fields.List(fields.Nested(CaseSchema), required=True)


class CaseListArgs(PageArgs):
    status = Choice(CaseStatus, metadata={"description": "Only cases with this status."})


class CaseInput(InputSchema):
    court_id = Id(required=True)
    reference = Line(60, required=True)
    title = Line(200, required=True)
    offences = fields.List(
        Choice(OffenceCategory),
        required=True,
        validate=validate.Length(min=1, error="Choose at least one offence."),
    )
    status = Choice(CaseStatus, load_default=CaseStatus.investigation)
    lead_prosecutor_id = Id(
        allow_none=True,
        metadata={"description": "A prosecutor of your office; a prosecutor leads by default."},
    )
    notes = Text(5000, load_default="")


class CaseChanges(ChangesSchema, CaseInput):
    """Only the fields sent are changed."""


class DefendantSchema(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    name = fields.String(required=True)
    custody_status = Choice(CustodyStatus, required=True)
    expected_release_date = fields.Date(required=True, allow_none=True)


class DefendantInput(InputSchema):
    name = Line(200, required=True)
    custody_status = Choice(CustodyStatus, required=True)
    expected_release_date = Day(allow_none=True)


class DefendantChanges(ChangesSchema, DefendantInput):
    """Only the fields sent are changed."""


# --- witnesses and participation ---


class ParticipationBrief(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    case_reference = fields.String(required=True, attribute="case.reference")
    role = Choice(ParticipationRole, required=True)
    phase = Choice(Phase, required=True)


class ParticipationSchema(ParticipationBrief):
    witness_id = fields.Integer(required=True)
    reflection_end_date = fields.Date(required=True, allow_none=True)
    created_dt = fields.AwareDateTime(required=True)
    allowed_phases = fields.Function(
        lambda p: [t.value for t in allowed_targets(p.phase, closed_from(p))],
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string", "enum": [p.value for p in Phase]},
            "description": "The phases this participation may move to now.",
        },
    )


class PhaseChangeSchema(ma.Schema):
    id = fields.Integer(required=True)
    participation_id = fields.Integer(required=True)
    from_phase = Choice(
        Phase, required=True, allow_none=True, metadata={"description": "null when joining."}
    )
    to_phase = Choice(Phase, required=True)
    transition_dt = fields.AwareDateTime(required=True)
    actor_id = fields.Integer(required=True)
    actor_name = fields.String(required=True, attribute="actor.name")
    reason = fields.String(required=True)


class PhaseChangeInput(InputSchema):
    phase = Choice(
        Phase,
        required=True,
        error_messages={"required": "Choose the phase to move to."},
        metadata={"description": "The phase to move to; see the participation's allowed_phases."},
    )
    reason = Text(
        2000,
        required=True,
        error_messages={"required": "Give a reason for the change."},
        metadata={"description": "Why; kept in the witness's history."},
    )


class ParticipationInput(InputSchema):
    case_id = Id(required=True)
    role = Choice(ParticipationRole, load_default=ParticipationRole.victim_witness)
    reason = Text(2000, required=True, error_messages={"required": "Give a reason for the change."})
    reflection_end_date = Day(
        allow_none=True,
        metadata={"description": "End of the recovery and reflection period, if known."},
    )


class WitnessSummary(ma.Schema):
    """A witness as lists show them: the reference, never the identity."""

    id = fields.Integer(required=True)
    organisation_id = fields.Integer(
        required=True, metadata={"description": "The prosecution office that owns the file."}
    )
    reference = fields.String(
        required=True, metadata={"description": "Pseudonym or reference, used instead of a name."}
    )
    gender = fields.String(required=True, allow_none=True)
    nationality = fields.String(required=True, allow_none=True)
    languages = fields.List(
        fields.String(), required=True, metadata={"description": "Preferred first."}
    )
    needs_interpreter = fields.Boolean(required=True)
    is_presumed_child = fields.Boolean(required=True)
    is_child = fields.Function(
        lambda w: w.is_child_on(now_utc().date()),
        required=True,
        metadata={
            "type": "boolean",
            "description": "Under 18 today, or presumed a child until age is confirmed.",
        },
    )
    participations = fields.List(fields.Nested(ParticipationBrief), required=True)


class WitnessSchema(WitnessSummary):
    """A witness file. Identity and contact fields are present only if the caller may see them
    (``identity_visible``); reading a file is recorded in the audit log."""

    identity_visible = fields.Boolean(required=True)
    legal_name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    guardian_name = fields.String(allow_none=True)
    guardian_contact = fields.String(allow_none=True)
    created_dt = fields.AwareDateTime(required=True)
    updated_dt = fields.AwareDateTime(required=True)


class WitnessPage(PageMeta):
    items = fields.List(fields.Nested(WitnessSummary), required=True)


class WitnessListArgs(PageArgs):
    phase = Choice(Phase, metadata={"description": "Only witnesses in this phase in a case."})
    case_id = Id(strict=False, metadata={"description": "Only witnesses in this case."})
    q = Line(60, metadata={"description": "Part of the reference, any case."})


class WitnessInput(InputSchema):
    reference = Line(60, required=True)
    legal_name = Line(200, required=True)
    date_of_birth = Day(_not_in_future, allow_none=True)
    is_presumed_child = fields.Boolean(load_default=False)
    gender = Line(40, allow_none=True)
    nationality = Line(80, allow_none=True)
    languages = fields.List(
        Line(80, required=True),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Languages the witness understands, preferred first."},
    )
    needs_interpreter = fields.Boolean(load_default=False)
    guardian_name = Line(200, allow_none=True)
    guardian_contact = Line(300, allow_none=True)
    phone = Line(40, allow_none=True)
    email = fields.Email(allow_none=True, validate=[validate.Length(max=254), _single_line])
    address = Text(500, allow_none=True)


class WitnessChanges(ChangesSchema, WitnessInput):
    """Only the fields sent are changed."""
