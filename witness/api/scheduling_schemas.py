"""What the scheduling API reads and writes: resources, hearings, appointments, special measures.

Times go in as ISO 8601 with their UTC offset ("2026-03-30T10:00:00+01:00"); a time without
one is refused, because on the day the clocks change a local time can name two instants. Times
of events come back in the court's timezone (an appointment's own zone), so a client can show
them as they are; book-keeping times (created, recorded) come back in UTC.
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import fields, utils, validate

from witness.api.schemas import (
    Choice,
    Id,
    InputSchema,
    Line,
    PageArgs,
    PageMeta,
    QuerySchema,
    Text,
)
from witness.cases.models import HearingStatus, HearingType
from witness.hearings.models import MeasureKind, MeasureStatus
from witness.rooms.models import ResourceKind
from witness.scheduling.conflicts import MAX_TRAVEL_MINUTES
from witness.scheduling.models import AppointmentKind, AppointmentStatus

#: an example every time field's description gives
EXAMPLE = "2026-03-30T10:00:00+01:00"
#: a '+' of an offset in a query string that was not percent-encoded arrives as a space
_PLUS_AS_SPACE = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


# --- fields --------------------------------------------------------------------------------


class Instant(fields.AwareDateTime):
    """An instant given with its UTC offset, between 1901 and 2099."""

    default_error_messages = {
        "invalid": f"Give a date and time in ISO 8601 with its offset, e.g. {EXAMPLE}.",
        "invalid_awareness": (
            f"Give the time with its UTC offset, e.g. {EXAMPLE}: without one, a local time "
            "can name two instants on the day the clocks change."
        ),
        "range": "Give a time between the years 1901 and 2099.",
    }

    def __init__(self, **kwargs) -> None:
        metadata = {"description": f"ISO 8601 with the UTC offset, e.g. {EXAMPLE}."}
        super().__init__(metadata=metadata | kwargs.pop("metadata", {}), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        # Checked before any conversion: year 1 at +01:00 is before the first UTC instant.
        if not 1901 <= result.year <= 2099:
            raise self.make_error("range")
        return result


class QueryInstant(Instant):
    """An ``Instant`` in a query string, where an unencoded '+' arrives as a space."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = _PLUS_AS_SPACE.sub(r"\1+\2", value)
        return super()._deserialize(value, attr, data, **kwargs)


class Zoned(fields.AwareDateTime):
    """An instant in an answer, in the timezone that ``zone`` (a dotted path on the record)
    names: the court's, for a hearing or a room."""

    def __init__(self, zone: str, **kwargs) -> None:
        metadata = {"description": "ISO 8601, with the offset of the court's timezone then."}
        super().__init__(metadata=metadata | kwargs.pop("metadata", {}), **kwargs)
        self.zone = zone

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(ZoneInfo(utils.get_value(obj, self.zone))).isoformat()


class LocalTime(fields.Time):
    """A time of day on the court's clock, ``HH:MM`` (no offset: it is the same every day)."""

    default_error_messages = {"invalid": "Give a time of day as HH:MM, e.g. 08:30."}

    def _deserialize(self, value, attr, data, **kwargs) -> time:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            raise self.make_error("invalid")
        return result.replace(second=0, microsecond=0)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class Flag(fields.Boolean):
    """true or false in JSON; not 1, "yes" or "on", which a typo could send by mistake."""

    default_error_messages = {"invalid": "Send true or false."}

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Minutes(**kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(min=0, max=MAX_TRAVEL_MINUTES), **kwargs
    )


def _local(zone: str, **kwargs) -> Zoned:
    return Zoned(zone, required=True, **kwargs)


class _Ends(InputSchema):
    """A start and an end, the end after the start."""

    start = Instant(required=True)
    end = Instant(required=True)

    @ma.validates_schema
    def _end_after_start(self, data, **kwargs) -> None:
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ma.ValidationError("The end must be after the start.", "end")


# --- resources -----------------------------------------------------------------------------


class ResourceSchema(ma.Schema):
    """A courtroom, video-link suite, remote witness site or waiting room of a court."""

    id = fields.Integer(required=True)
    court_id = fields.Integer(required=True)
    kind = Choice(ResourceKind, required=True)
    name = fields.String(required=True)
    location_visible = fields.Boolean(
        required=True,
        metadata={"description": "Whether you may see where it is (supervisors and admins)."},
    )
    location = fields.String(
        metadata={"description": "Where it is; present only when location_visible."}
    )
    opens_at = LocalTime(required=True, metadata={"description": "On the court's clock."})
    closes_at = LocalTime(required=True)
    open_weekdays = fields.String(
        required=True, metadata={"description": "ISO weekdays it is open, Monday = 1: '12345'."}
    )
    is_active = fields.Boolean(required=True)


class WithdrawalSchema(ma.Schema):
    id = fields.Integer(required=True)
    resource_id = fields.Integer(required=True)
    start = _local("resource.court.timezone", attribute="start_dt")
    end = _local("resource.court.timezone", attribute="end_dt")
    reason = fields.String(required=True)
    recorded_by_id = fields.Integer(required=True)
    recorded_dt = fields.AwareDateTime(required=True)


class ResourceDetail(ResourceSchema):
    withdrawals = fields.List(
        fields.Nested(WithdrawalSchema),
        required=True,
        metadata={"description": "Periods out of use that have not ended yet."},
    )


class ResourceInput(InputSchema):
    kind = Choice(ResourceKind, required=True)
    name = Line(200, required=True)
    location = Line(
        500,
        load_default="",
        metadata={"description": "Where it is; shown only to those who need it."},
    )
    opens_at = LocalTime(load_default=time(8, 0))
    closes_at = LocalTime(load_default=time(18, 0))
    open_weekdays = fields.String(
        load_default="12345",
        validate=validate.Regexp(
            r"^[1-7]{1,7}$", error="Give the ISO weekdays it is open, Monday = 1: '12345'."
        ),
    )


class WithdrawalInput(_Ends):
    reason = Text(2000, required=True, error_messages={"required": "Say why it is withdrawn."})


# --- hearings ------------------------------------------------------------------------------


class HearingSchema(ma.Schema):
    """A hearing; its times are in the court's timezone."""

    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    case_reference = fields.String(required=True, attribute="case.reference")
    court_id = fields.Integer(required=True)
    timezone = fields.String(required=True, attribute="court.timezone")
    type = Choice(HearingType, required=True)
    status = Choice(HearingStatus, required=True)
    start = _local("court.timezone", attribute="start_dt")
    end = _local("court.timezone", attribute="end_dt")
    courtroom_id = fields.Integer(required=True, allow_none=True)
    courtroom_name = fields.Function(
        lambda h: h.courtroom.name if h.courtroom is not None else None,
        required=True,
        allow_none=True,
        metadata={"type": "string"},
    )
    external_ref = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The court system's listing number, if it has one."},
    )
    notes = fields.String(required=True)
    created_dt = fields.AwareDateTime(required=True)
    updated_dt = fields.AwareDateTime(required=True)


class HearingChangeSchema(ma.Schema):
    """One move or status change, with the times before and after."""

    id = fields.Integer(required=True)
    changed_dt = fields.AwareDateTime(required=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor_name = fields.Function(
        lambda c: c.actor.name if c.actor is not None else None,
        required=True,
        allow_none=True,
        metadata={"type": "string", "description": "null: a court system."},
    )
    from_status = Choice(HearingStatus, required=True)
    to_status = Choice(HearingStatus, required=True)
    from_start = _local("hearing.court.timezone", attribute="from_start_dt")
    from_end = _local("hearing.court.timezone", attribute="from_end_dt")
    to_start = _local("hearing.court.timezone", attribute="to_start_dt")
    to_end = _local("hearing.court.timezone", attribute="to_end_dt")
    reason = fields.String(required=True)


class HearingDetail(HearingSchema):
    changes = fields.List(
        fields.Nested(HearingChangeSchema),
        required=True,
        metadata={"description": "Its history, oldest first."},
    )


class HearingCreated(HearingDetail):
    measures_proposed = fields.Integer(
        required=True,
        metadata={
            "description": "Special measures proposed at once for the children and trafficking "
            "complainants who will give evidence."
        },
    )


class HearingChanged(ma.Schema):
    hearing = fields.Nested(HearingDetail, required=True)
    flagged_appointment_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={
            "description": "Appointments serving the hearing, now flagged for rescheduling "
            "(needs_reschedule), that you may see."
        },
    )
    flagged = fields.Integer(
        required=True, metadata={"description": "All appointments flagged, seen or not."}
    )


class HearingInput(_Ends):
    type = Choice(HearingType, required=True)
    courtroom_id = Id(allow_none=True, metadata={"description": "A courtroom of the court."})
    external_ref = Line(
        80,
        allow_none=True,
        metadata={"description": "The court system's listing number, unique at the court."},
    )
    notes = Text(4000, load_default="")


class ListingMoveInput(_Ends):
    reason = Text(
        2000,
        required=True,
        error_messages={"required": "Give a reason for the change."},
        metadata={"description": "Why; kept in the hearing's history and told to witnesses."},
    )


class MoveInput(ListingMoveInput):
    courtroom_id = Id(
        allow_none=True, metadata={"description": "Another courtroom of the court, if it changes."}
    )


class ReasonInput(InputSchema):
    reason = Text(2000, required=True, error_messages={"required": "Give a reason."})


# --- appointments --------------------------------------------------------------------------


class StaffSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    organisation_id = fields.Integer(required=True)


def _name_of(attribute: str):
    def get(obj):
        related = getattr(obj, attribute)
        return related.name if related is not None else None

    return get


class AppointmentSchema(ma.Schema):
    """An appointment; its times are in its own timezone (the court's, usually)."""

    id = fields.Integer(required=True)
    organisation_id = fields.Integer(
        required=True, metadata={"description": "The office that manages it."}
    )
    witness_id = fields.Integer(required=True)
    witness_reference = fields.String(required=True, attribute="witness.reference")
    case_id = fields.Integer(required=True, allow_none=True)
    hearing_id = fields.Integer(required=True, allow_none=True)
    kind = Choice(AppointmentKind, required=True)
    status = Choice(AppointmentStatus, required=True)
    status_reason = fields.String(
        required=True, metadata={"description": "Why it was last rescheduled or cancelled."}
    )
    start = _local("timezone", attribute="start_dt")
    end = _local("timezone", attribute="end_dt")
    timezone = fields.String(required=True)
    travel_minutes = fields.Integer(
        required=True, metadata={"description": "Blocked before the start and after the end."}
    )
    staff = fields.List(fields.Nested(StaffSchema), required=True)
    resource_id = fields.Integer(required=True, allow_none=True)
    resource_name = fields.Function(
        _name_of("resource"), required=True, allow_none=True, metadata={"type": "string"}
    )
    location_visible = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether you may see where it takes place: the managing office and "
            "the staff attending."
        },
    )
    address = fields.String(
        metadata={"description": "Where, when no room is booked; only when location_visible."}
    )
    resource_location = fields.String(
        allow_none=True,
        metadata={"description": "Where the room or remote site is; only when location_visible."},
    )
    witness_meeting_point = fields.String(
        metadata={
            "description": "The place the witness's discreet invite gives; only when "
            "location_visible."
        }
    )
    interpreter_id = fields.Integer(required=True, allow_none=True)
    interpreter_name = fields.Function(
        _name_of("interpreter"), required=True, allow_none=True, metadata={"type": "string"}
    )
    language = fields.String(required=True, allow_none=True)
    notes = fields.String(required=True)
    needs_reschedule = fields.Boolean(
        required=True, metadata={"description": "The hearing it serves moved or was vacated."}
    )
    ical_uid = fields.String(required=True, metadata={"description": "Never changes."})
    ical_sequence = fields.Integer(
        required=True, metadata={"description": "Raised on every change the invites carry."}
    )
    created_dt = fields.AwareDateTime(required=True)
    updated_dt = fields.AwareDateTime(required=True)


class AppointmentDetail(AppointmentSchema):
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What to look at, e.g. no separate waiting room booked."},
    )
    booking_appointment_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={
            "description": "The appointments of the same booking (several witnesses accompanied "
            "together, this one included) of witnesses the caller may see; the others are not "
            "even counted."
        },
    )


class AppointmentPage(PageMeta):
    items = fields.List(fields.Nested(AppointmentSchema), required=True)


class _Period(QuerySchema):
    from_ = QueryInstant(data_key="from", metadata={"description": "Ending after this instant."})
    to = QueryInstant(metadata={"description": "Starting before this instant."})

    @ma.validates_schema
    def _to_after_from(self, data, **kwargs) -> None:
        if data.get("from_") and data.get("to") and data["to"] <= data["from_"]:
            raise ma.ValidationError("'to' must be after 'from'.", "to")


class AppointmentListArgs(PageArgs, _Period):
    status = Choice(AppointmentStatus, metadata={"description": "Only with this status."})


class MyAppointmentsArgs(_Period):
    pass


class BookingInput(_Ends):
    kind = Choice(AppointmentKind, required=True)
    staff_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=20, error="Choose one to 20 members of staff."),
        metadata={
            "description": "Staff attending: of the office, or of an NGO the witness "
            "shares their file with."
        },
    )
    travel_minutes = Minutes(
        load_default=0, metadata={"description": "Travel each way, blocked for the people."}
    )
    resource_id = Id(
        allow_none=True,
        metadata={"description": "A room of a court; a video link needs a suite or remote site."},
    )
    address = Line(500, allow_none=True, metadata={"description": "Where, when no room is booked."})
    witness_meeting_point = Line(
        200,
        load_default="",
        metadata={
            "description": "What the witness's discreet invite gives as the place (read by "
            "whoever sees their phone: never a court, a shelter or the offence). Empty: a "
            "neutral 'Meeting point agreed with your support worker'."
        },
    )
    interpreter_id = Id(allow_none=True)
    language = Line(80, allow_none=True)
    notes = Text(4000, load_default="")
    hearing_id = Id(allow_none=True, metadata={"description": "The hearing it serves."})
    case_id = Id(allow_none=True, metadata={"description": "Set from the hearing when given."})
    risk_review_id = Id(
        allow_none=True,
        metadata={
            "description": "A `risk_review` meeting: the open risk review it serves (default: "
            "the first due). It is held with the witness's officer, and with an interpreter "
            "of their language when they need one."
        },
    )
    other_witness_ids = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=19, error="One booking carries at most 20 witnesses."),
        metadata={
            "description": "Other witnesses of the case accompanied in the same booking (an "
            "accompaniment or a familiarisation visit): the staff, interpreter and room are one "
            "commitment for them all, and each witness gets an appointment and invite of their "
            "own. Witnesses whose file the caller may see and whose office books them; when "
            "rescheduling, witnesses to add to the booking."
        },
    )


class RescheduleInput(BookingInput):
    reason = Text(2000, required=True, error_messages={"required": "Give a reason for the change."})


class CompleteInput(InputSchema):
    note = Text(2000, load_default="", metadata={"description": "How it went, if worth saying."})


# --- special measures ----------------------------------------------------------------------


class MeasureSchema(ma.Schema):
    id = fields.Integer(required=True)
    witness_id = fields.Integer(required=True)
    hearing_id = fields.Integer(required=True)
    hearing_type = Choice(HearingType, required=True, attribute="hearing.type")
    hearing_start = _local("hearing.court.timezone", attribute="hearing.start_dt")
    kind = Choice(MeasureKind, required=True)
    status = Choice(MeasureStatus, required=True)
    is_standard = fields.Boolean(
        required=True,
        metadata={"description": "Proposed without asking: a child or trafficking complainant."},
    )
    proposed_dt = fields.AwareDateTime(required=True)
    applied_dt = fields.AwareDateTime(required=True, allow_none=True)
    decided_dt = fields.AwareDateTime(required=True, allow_none=True)
    decision_note = fields.String(required=True)
    proposed_by_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: proposed by the system."}
    )
    video_link_to_book = fields.Boolean(
        required=True,
        metadata={
            "description": "A video link was granted and no video-link session is booked for "
            "that hearing yet: book one."
        },
    )


class MeasureInput(InputSchema):
    hearing_id = Id(required=True)
    kind = Choice(MeasureKind, required=True)


class DecisionInput(InputSchema):
    granted = Flag(required=True, metadata={"description": "true: granted; false: refused."})
    note = Text(2000, load_default="")


class WithdrawMeasureInput(InputSchema):
    note = Text(2000, required=True, error_messages={"required": "Say why it is withdrawn."})


class Shown:
    """A record as the caller may see it: ``hidden`` attributes are absent, so the schema
    leaves them out of the answer; ``extra`` adds what the view worked out (a count, warnings)."""

    def __init__(self, record, hidden=(), **extra) -> None:
        self._record = record
        self._hidden = frozenset(hidden)
        self._extra = extra

    def __getattr__(self, name: str):
        if name in self._hidden:
            raise AttributeError(name)
        if name in self._extra:
            return self._extra[name]
        return getattr(self._record, name)
