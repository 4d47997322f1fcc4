"""The forms to add a witness to a case, record a consent and record a need live on pages of their
own, linked from the witness's file: the file no longer renders them (nor their long lists of
courts and organisations) on every view."""

import re

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.people.models import Consent, NeedsAssessment, Participation

#: (address under the witness, link text on the file, a field only that form has)
FORMS = [
    ("participations", "Add to a case", 'name="case_reference"'),
    ("consents", "Record a consent", 'name="organisation_id"'),
    ("needs", "Record a need", 'name="area"'),
]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _links(page: str) -> dict[str, str]:
    """The page's links, text -> address."""
    return {
        text.strip(): href
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)
    }


def _audited(db, action: str, actor, witness) -> int:
    return db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.actor_id == actor.id,
            AuditEvent.witness_id == witness.id,
        )
    )


def test_the_file_no_longer_carries_the_forms(login, world, make_court):
    """The witness page is shorter: no select of courts, organisations or need areas on it."""
    make_court()
    page = _text(login(world.officer).get(f"/witnesses/{world.assigned.id}"))
    for _, _, field in FORMS:
        assert field not in page
    assert 'name="court_id"' not in page and 'name="review_date"' not in page


@pytest.mark.parametrize(("section", "link", "field"), FORMS)
def test_each_form_opens_from_its_link_on_the_file(login, world, section, link, field):
    client = login(world.officer)
    file_url = f"/witnesses/{world.assigned.id}"
    href = _links(_text(client.get(file_url)))[link]
    assert href == f"{file_url}/{section}"
    response = client.get(href)
    assert response.status_code == 200
    page = _text(response)
    assert field in page
    assert world.assigned.reference in page
    assert _links(page)["Cancel"] == file_url


def test_an_ngo_worker_records_needs_but_reaches_no_other_form(login, world, db):
    """The NGO worker sees only the need link, and the other forms' pages are audited 404s."""
    client = login(world.ngo_worker)
    file_url = f"/witnesses/{world.shared.id}"
    links = _links(_text(client.get(file_url)))
    assert links["Record a need"] == f"{file_url}/needs"
    assert "Add to a case" not in links and "Record a consent" not in links
    assert client.get(f"{file_url}/needs").status_code == 200
    for section in ("participations", "consents"):
        assert client.get(f"{file_url}/{section}").status_code == 404
    assert _audited(db, "witness.change_refused", world.ngo_worker, world.shared) == 2


def test_a_prosecutor_sees_the_file_but_no_form(login, world, db):
    client = login(world.prosecutor)
    file_url = f"/witnesses/{world.assigned.id}"
    links = _links(_text(client.get(file_url)))
    assert not {"Add to a case", "Record a consent", "Record a need"} & set(links)
    for section in ("participations", "consents"):
        assert client.get(f"{file_url}/{section}").status_code == 404
    assert client.get(f"{file_url}/needs").status_code == 404
    assert _audited(db, "witness.change_refused", world.prosecutor, world.assigned) == 2
    assert _audited(db, "need.record_refused", world.prosecutor, world.assigned) == 1


def test_a_file_out_of_sight_has_no_form_pages(login, world, db):
    """Another officer's witness: the form pages do not reveal that the file exists."""
    client = login(world.officer2)
    for section, _, _ in FORMS:
        assert client.get(f"/witnesses/{world.assigned.id}/{section}").status_code == 404
    assert _audited(db, "witness.refused", world.officer2, world.assigned) == 3


@pytest.mark.parametrize(
    ("section", "data", "field", "model"),
    [
        (
            "participations",
            {"case_reference": "NO-SUCH-CASE", "role": "victim_witness", "reason": "Referred"},
            "case_reference",
            Participation,
        ),
        ("consents", {"kind": "share", "decision": "granted"}, "organisation_id", Consent),
        (
            "needs",
            {"area": "transport", "notes": "Taxi", "review_date": ""},
            "review_date",
            NeedsAssessment,
        ),
    ],
)
def test_a_mistake_shows_the_form_page_again_and_saves_nothing(
    login, world, db, section, data, field, model
):
    client = login(world.officer)
    before = db.scalar(select(func.count()).select_from(model))
    response = client.submit(f"/witnesses/{world.assigned.id}/{section}", data)
    assert response.status_code == 400
    page = _text(response)
    assert re.search(rf'<p class="error" id="{field}-error">[^<]+</p>', page)
    assert "<h2>Timeline</h2>" not in page  # the form's page, not the whole file
    assert _links(page)["Cancel"] == f"/witnesses/{world.assigned.id}"
    assert db.scalar(select(func.count()).select_from(model)) == before
