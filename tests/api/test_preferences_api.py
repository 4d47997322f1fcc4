"""GET/PUT /api/v1/witnesses/<id>/contact-preferences: the same rules as the page, answered in
problem details."""

from witness.core.access import accepts_channel, current_preference
from witness.people.models import Channel

from .conftest import assert_problem, audit_count, nothing_changes

BODY = {
    "channels": ["email", "phone"],
    "email": "safe@example.org",
    "phone": "+44 7700 900777",
    "email_detail": "summary",
    "language": "th",
}


def _url(witness) -> str:
    return f"/api/v1/witnesses/{witness.id}/contact-preferences"


def test_an_officer_puts_and_gets_preferences(db, world, api):
    client = api(world.officer)
    empty = client.get(_url(world.assigned))
    assert empty.status_code == 200 and empty.get_json()["recorded"] is False
    response = client.open("PUT", _url(world.assigned), json=BODY)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["channels"] == ["email", "phone"] and body["email_detail"] == "summary"
    assert current_preference(db, world.assigned.id).language == "th"
    assert accepts_channel(db, world.assigned.id, Channel.email)
    assert client.get(_url(world.assigned)).get_json()["phone"] == "+44 7700 900777"


def test_bad_preferences_are_problems_and_change_nothing(db, world, api):
    client = api(world.officer)
    with nothing_changes(db):
        for body in (
            BODY | {"channels": ["email", "email"]},
            BODY | {"channels": ["fax"]},
            BODY | {"email": "nope"},
            BODY | {"language": "zz-bad-code"},
            BODY | {"unknown": 1},
            {"channels": ["post"]},
        ):
            response = client.open("PUT", _url(world.assigned), json=body)
            assert_problem(response, 422)


def test_need_to_know(db, world, api):
    assert_problem(api(world.foreign_admin).get(_url(world.assigned)), 404)
    assert_problem(api(world.ngo_worker).get(_url(world.shared)), 404)
    assert audit_count(db, "contact_preference.refused", world.ngo_worker) == 1
    ngo = api(world.ngo_worker)
    assert ngo.get(_url(world.shared_identity)).status_code == 200
    with nothing_changes(db):
        response = ngo.open("PUT", _url(world.shared_identity), json={"channels": ["in_person"]})
        assert_problem(response, 403)  # seen but not changed: as the API answers elsewhere
