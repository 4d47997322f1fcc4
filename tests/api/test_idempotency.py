"""Idempotency keys: a POST sent again with the same ``Idempotency-Key`` and the same body gets
the first answer and creates nothing; with another body, 422; a refused request keeps no key;
keys are each caller's own and are forgotten after a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from witness.api.idempotency import purge_expired
from witness.api.models import IdempotencyKey
from witness.cases.models import Case
from witness.ledger.models import SupportItem
from witness.people.models import Witness
from witness.scheduling.models import Appointment

from .conftest import assert_problem, audit_count, nothing_changes

pytestmark = pytest.mark.usefixtures("frozen_clock")

KEY = "5f0c7a52-3c1e-4e7b-9a57-2d6f1f1b9c10"


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def item(world, **changes) -> dict:
    body = {
        "case_id": world.case.id,
        "category": "transport",
        "description": "Taxi to the hearing",
        "quantity": "1",
        "unit": "trip",
        "value": "35.00",
        "currency": "GBP",
        "date_provided": "2026-03-09",
        "rationale": "Intimidation risk on public transport",
    }
    return body | changes


def keyed(key: str = KEY) -> dict:
    return {"Idempotency-Key": key}


def test_a_support_item_sent_twice_with_one_key_is_recorded_once(api, db, world):
    """The integration lost the first answer and sends the same request again: same answer,
    one entry in the ledger (without the key, the retry recorded the taxi twice)."""
    officer = api(world.officer)
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    first = officer.post(url, json=item(world), headers=keyed())
    assert first.status_code == 201, first.get_data(as_text=True)
    again = officer.post(url, json=item(world), headers=keyed())
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(db, SupportItem) == 1
    assert audit_count(db, "api.replayed", world.officer) == 1


def test_the_same_body_laid_out_differently_is_the_same_request(api, db, world):
    officer = api(world.officer)
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    officer.post(url, json=item(world), headers=keyed())
    reordered = '{\n  "rationale": "Intimidation risk on public transport", '
    reordered += ", ".join(f'"{k}": {v!r}' for k, v in item(world).items() if k != "rationale")
    reordered = reordered.replace("'", '"') + "}"
    again = officer.post(url, data=reordered, content_type="application/json", headers=keyed())
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert count(db, SupportItem) == 1


def test_a_booking_and_a_witness_file_replay_their_location(api, db, world):
    officer = api(world.officer)
    body = {
        "kind": "pre_trial_meeting",
        "start": "2026-03-12T10:00:00+00:00",
        "end": "2026-03-12T11:00:00+00:00",
        "staff_ids": [world.officer.id],
        "address": "Safe house office",
    }
    url = f"/api/v1/witnesses/{world.assigned.id}/appointments"
    first = officer.post(url, json=body, headers=keyed("booking-1"))
    again = officer.post(url, json=body, headers=keyed("booking-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Location"] == first.headers["Location"]
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(db, Appointment) == 1  # not a 409 clash with itself

    witness = {"reference": "VW-IDEM-1", "legal_name": "Ana Pop"}
    first = officer.post("/api/v1/witnesses", json=witness, headers=keyed("file-1"))
    again = officer.post("/api/v1/witnesses", json=witness, headers=keyed("file-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert db.scalar(select(func.count()).where(Witness.reference == "VW-IDEM-1")) == 1


def test_the_same_key_with_another_body_is_422_and_creates_nothing(api, db, world):
    officer = api(world.officer)
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    officer.post(url, json=item(world), headers=keyed())
    with nothing_changes(db):
        response = officer.post(url, json=item(world, value="36.00"), headers=keyed())
    body = assert_problem(response, 422)
    assert body["detail"].startswith("This Idempotency-Key was first sent with another request")
    assert f"POST {url}" in body["detail"]
    assert count(db, SupportItem) == 1


def test_the_same_key_on_another_operation_is_422(api, db, world):
    officer = api(world.officer)
    officer.post("/api/v1/cases", json=_case(world, "IDEM-1"), headers=keyed())
    with nothing_changes(db):
        response = officer.post("/api/v1/witnesses", json={"reference": "X"}, headers=keyed())
    assert_problem(response, 422)


def _case(world, reference: str) -> dict:
    return {
        "court_id": world.case.court_id,
        "reference": reference,
        "title": "R v Key",
        "offences": ["violence"],
    }


def test_keys_are_each_callers_own(api, db, world):
    """Two offices' integrations happen to pick the same key: each gets its own case."""
    api(world.officer).post("/api/v1/cases", json=_case(world, "IDEM-A"), headers=keyed())
    other = api(world.supervisor).post(
        "/api/v1/cases", json=_case(world, "IDEM-B"), headers=keyed()
    )
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert db.scalar(select(func.count()).where(Case.reference.in_(["IDEM-A", "IDEM-B"]))) == 2


def test_a_refused_request_keeps_no_key_so_the_corrected_one_may_use_it(api, db, world):
    officer = api(world.officer)
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    refused = officer.post(url, json=item(world, currency="POUNDS"), headers=keyed())
    assert_problem(refused, 422)
    assert count(db, IdempotencyKey) == 0
    accepted = officer.post(url, json=item(world), headers=keyed())
    assert accepted.status_code == 201 and "Idempotent-Replayed" not in accepted.headers
    assert count(db, SupportItem) == 1


def test_a_refusal_that_keeps_its_audit_row_keeps_no_key_either(api, db, world, make_case):
    """A measure for a hearing the caller may not see: 422, the refusal audited (committed),
    and the key free again."""
    from witness.cases.models import Hearing, HearingType
    from witness.core.time import now_utc

    foreign = make_case(organisation=world.other_office)
    hearing = Hearing(
        case_id=foreign.id,
        court_id=foreign.court_id,
        type=HearingType.trial_day,
        start_dt=now_utc() + timedelta(days=3),
        end_dt=now_utc() + timedelta(days=3, hours=2),
    )
    db.add(hearing)
    db.flush()
    response = api(world.officer).post(
        f"/api/v1/witnesses/{world.assigned.id}/measures",
        json={"hearing_id": hearing.id, "kind": "screens"},
        headers=keyed(),
    )
    assert_problem(response, 422)
    assert count(db, IdempotencyKey) == 0


@pytest.mark.parametrize(
    "key", ["", " ", "a" * 256, "caf\u00e9", "two words", "line\tbreak"], ids=repr
)
def test_a_key_that_cannot_be_one_is_400(api, db, world, key):
    officer = api(world.officer)
    with nothing_changes(db):
        response = officer.post("/api/v1/cases", json=_case(world, "IDEM-X"), headers=keyed(key))
    body = assert_problem(response, 400)
    assert "Idempotency-Key of 1 to 255 printable ASCII characters" in body["detail"]


def test_a_key_is_forgotten_after_a_day(api, db, world, frozen_clock):
    officer = api(world.officer)
    url = f"/api/v1/witnesses/{world.assigned.id}/support-items"
    officer.post(url, json=item(world), headers=keyed())
    frozen_clock(frozen_clock.now() + timedelta(hours=23, minutes=59))
    assert officer.post(url, json=item(world), headers=keyed()).headers["Idempotent-Replayed"]
    frozen_clock(frozen_clock.now() + timedelta(minutes=2))
    fresh = officer.post(url, json=item(world), headers=keyed())
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert count(db, SupportItem) == 2


def test_the_sweep_purges_keys_past_their_day(api, db, world, frozen_clock):
    officer = api(world.officer)
    officer.post("/api/v1/cases", json=_case(world, "IDEM-OLD"), headers=keyed("old"))
    frozen_clock(frozen_clock.now() + timedelta(hours=12))
    officer.post("/api/v1/cases", json=_case(world, "IDEM-NEW"), headers=keyed("new"))
    frozen_clock(frozen_clock.now() + timedelta(hours=12, minutes=1))
    assert purge_expired(db, frozen_clock.now()) == 1
    assert db.scalars(select(IdempotencyKey.key)).all() == ["new"]


def test_without_a_key_nothing_is_kept(api, db, world):
    officer = api(world.officer)
    officer.post("/api/v1/cases", json=_case(world, "IDEM-NONE"))
    assert count(db, IdempotencyKey) == 0


def test_every_post_operation_documents_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [(path, item["post"]) for path, item in spec["paths"].items() if "post" in item]
    assert len(posts) >= 13
    for path, operation in posts:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Idempotency-Key"], path
        assert headers[0]["required"] is False
        assert {"409", "422"} <= set(operation["responses"]), path
    for path, item in spec["paths"].items():
        for method in ("get", "patch"):
            if method in item:
                names = [p["name"] for p in item[method].get("parameters", [])]
                assert "Idempotency-Key" not in names, (method, path)
