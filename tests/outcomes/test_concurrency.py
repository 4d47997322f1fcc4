"""Two (and more) real clients posting the same event at once, against a real server on SQLite
and on PostgreSQL: one event is recorded, with one task per victim; every answer is that event
(201 for the one that made it, 200 for the repeats), never a 500 or a second event."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from witness.cases.models import CustodyStatus, Defendant
from witness.notify.models import NotificationTask
from witness.outcomes.models import OutcomeEvent

from ..test_concurrent_clients import (  # noqa: F401
    PARALLEL,
    all_at_once,
    api_headers,
    server,
    statuses,
)


def test_the_same_external_id_posted_at_once_records_one_event(server):  # noqa: F811
    with server.session() as db:
        defendant = Defendant(
            case_id=server.case_id,
            name="Racing Defendant",
            custody_status=CustodyStatus.remanded,
            custody_number="RACE-1",
        )
        db.add(defendant)
        db.commit()
    body = {
        "custody_number": "RACE-1",
        "kind": "release_date_set",
        "effective_date": "2026-03-09",
        "source": "prison",
        "release_date": "2027-05-01",
        "source_system": "HMP Race",
        "external_id": "race-release-1",
    }

    def send(_n: int) -> requests.Response:
        return requests.post(
            f"{server.url}/api/v1/custody-events", json=body, headers=api_headers(server)
        )

    responses = all_at_once(send)
    assert statuses(responses) == [200] * (PARALLEL - 1) + [201], [r.text for r in responses]
    assert len({r.json()["items"][0]["id"] for r in responses}) == 1
    with server.session() as db:
        events = db.scalars(
            select(OutcomeEvent).where(OutcomeEvent.external_id == "race-release-1")
        ).all()
        assert len(events) == 1
        tasks = db.scalar(select(func.count()).where(NotificationTask.event_id == events[0].id))
        assert tasks == PARALLEL  # one per victim of the case, once
