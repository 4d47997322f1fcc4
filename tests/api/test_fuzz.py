"""Fuzzing every operation of the API from its own OpenAPI document (schemathesis).

Valid and invalid requests, generated from the schemas, are sent with a real token; every answer
must be no server error and conform to the document: its status documented, its content type
and body as described. Path ids are often swapped for records that exist (the ``service``
world), so the operations are exercised past "not found". Everything runs inside the test's
rolled-back transaction; Hypothesis is derandomized, so a run is repeatable.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from witness.cases.models import CustodyStatus, Defendant, Hearing, HearingType
from witness.core.time import now_utc
from witness.hearings.models import MeasureKind, SpecialMeasure
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment

#: examples per operation and generation mode (valid, invalid)
MAX_EXAMPLES = 20

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def records(service, db, token_for):
    """Ids of real records, by the name of the path parameter or body field that takes them,
    and the token the fuzzer calls with: a supervisor of the office, who sees and changes the
    office's files but not the other office's, so refusals are exercised too."""
    defendant = Defendant(
        case=service.case, name="Fuzz Defendant", custody_status=CustodyStatus.remanded
    )
    db.add(defendant)
    db.flush()
    witnesses = (service.assigned, service.shared, service.foreign)
    schedule = _schedule(db, service)
    return {
        "token": token_for(service.supervisor),
        "ids": {
            "witness_id": [w.id for w in witnesses],
            "case_id": [service.case.id, service.other_case.id, service.foreign_case.id],
            "participation_id": [w.participations[0].id for w in witnesses],
            "defendant_id": [defendant.id],
            "court_id": [service.case.court_id],
            "lead_prosecutor_id": [service.prosecutor.id],
            "resource_id": [schedule.suite.id, schedule.courtroom.id],
            "courtroom_id": [schedule.courtroom.id],
            "hearing_id": [schedule.hearing.id],
            "external_ref": [schedule.hearing.external_ref],
            "appointment_id": [schedule.appointment.id],
            "measure_id": [schedule.measure.id],
            "staff_ids": [[service.officer.id], [service.supervisor.id, service.officer2.id]],
        },
    }


def _schedule(db, service) -> SimpleNamespace:
    """Rooms of the case's court, a hearing listed by the court, an appointment and a measure,
    so the scheduling operations are exercised past "not found"."""
    court = service.case.court
    courtroom = Resource(court=court, kind=ResourceKind.courtroom, name="Fuzz Courtroom")
    suite = Resource(court=court, kind=ResourceKind.video_link_suite, name="Fuzz Suite")
    db.add_all([courtroom, suite])
    db.flush()
    day = (now_utc() + timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    hearing = Hearing(
        case_id=service.case.id,
        court_id=court.id,
        type=HearingType.trial_day,
        courtroom_id=courtroom.id,
        start_dt=day,
        end_dt=day + timedelta(hours=4),
        external_ref="FUZZ-1",
    )
    db.add(hearing)
    db.flush()
    booking = Booking(
        kind=AppointmentKind.accompaniment,
        start=day - timedelta(hours=1),
        end=day,
        staff_ids=[service.officer.id],
        address="Fuzz office",
        hearing_id=hearing.id,
    )
    appointment = book_appointment(db, service.officer, service.assigned, booking)
    measure = SpecialMeasure(
        witness_id=service.assigned.id, hearing_id=hearing.id, kind=MeasureKind.screens
    )
    db.add(measure)
    db.flush()
    return SimpleNamespace(
        courtroom=courtroom, suite=suite, hearing=hearing, appointment=appointment, measure=measure
    )


@pytest.fixture
def api_schema(app, records):
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The token is sent by the test itself, as an integration would.
                "with-security-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_answers_as_documented(case, data, records):
    # Valid requests often point at records that exist, to get past "not found" to the rules.
    # (Invalid ones are left as generated: they must stay invalid to be judged as such.)
    positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    for name, ids in records["ids"].items() if positive else ():
        for values in (case.path_parameters, case.body):
            if isinstance(values, dict) and name in values and data.draw(st.booleans()):
                values[name] = data.draw(st.sampled_from(ids))
    case.call_and_validate(headers={"Authorization": f"Bearer {records['token']}"}, checks=CHECKS)
