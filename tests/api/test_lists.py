"""Lists: paged with ``page``/``per_page`` (at most 100) and their totals, filtered in SQL."""

from __future__ import annotations

import pytest

from witness.auth.models import Role
from witness.cases.models import CaseStatus
from witness.people.models import Phase

from .conftest import assert_problem


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.supervisor)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_witnesses_come_in_pages_with_their_total(api, supervisor, make_witness):
    witnesses = [make_witness(reference=f"PG-{n:02d}") for n in (5, 3, 7, 1, 6, 2, 4)]
    by_reference = [w.id for w in sorted(witnesses, key=lambda w: w.reference)]
    client = api(supervisor)

    first = client.get("/api/v1/witnesses", query_string={"per_page": 3})
    assert first.get_json() | {"items": None} == {
        "items": None,
        "page": 1,
        "per_page": 3,
        "total": 7,
        "pages": 3,
    }
    pages = [ids(first)] + [
        ids(client.get("/api/v1/witnesses", query_string={"per_page": 3, "page": n}))
        for n in (2, 3)
    ]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == by_reference

    # Past the end: an empty page, not the last one again, so a client paging until empty stops.
    beyond = client.get("/api/v1/witnesses", query_string={"per_page": 3, "page": 4})
    assert ids(beyond) == [] and beyond.get_json()["total"] == 7


def test_default_page_size_is_25(api, supervisor, make_witness):
    for n in range(27):
        make_witness(reference=f"DF-{n:02d}")
    body = api(supervisor).get("/api/v1/witnesses").get_json()
    assert (len(body["items"]), body["page"], body["per_page"], body["total"]) == (25, 1, 25, 27)


def test_an_empty_list_has_no_pages(api, supervisor):
    body = api(supervisor).get("/api/v1/cases").get_json()
    assert body == {"items": [], "page": 1, "per_page": 25, "total": 0, "pages": 0}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"page": 2**31}, "page"),
        ({"phase": "hearing"}, "phase"),
        ({"case_id": 2**31}, "case_id"),
        ({"case_id": "abc"}, "case_id"),
        ({"q": "x" * 61}, "q"),
    ],
)
def test_bad_list_arguments_are_refused_per_field(api, supervisor, query, field):
    body = assert_problem(api(supervisor).get("/api/v1/witnesses", query_string=query), 422)
    assert list(body["errors"]) == [field]


def test_case_list_rejects_an_unknown_status(api, supervisor):
    body = assert_problem(
        api(supervisor).get("/api/v1/cases", query_string={"status": "open"}), 422
    )
    assert body["errors"]["status"][0].startswith("Must be one of: investigation, charged")


def test_unknown_query_arguments_are_refused(api, supervisor):
    """A misspelt filter must not come back as an unfiltered list that looks filtered."""
    response = api(supervisor).get("/api/v1/witnesses", query_string={"phse": "trial"})
    assert assert_problem(response, 422)["errors"] == {"phse": ["Unknown field."]}


def test_witness_filters(api, supervisor, make_case, make_witness):
    case, other = make_case(), make_case()
    in_trial = make_witness(case=case, phase=Phase.trial, reference="FX-TRIAL")
    reflecting = make_witness(case=case, reference="FX-REFLECT")
    elsewhere = make_witness(case=other, phase=Phase.trial, reference="OTHER-1")
    loose = make_witness(reference="FX-NO_CASE")
    client = api(supervisor)

    def listed(**query):
        return set(ids(client.get("/api/v1/witnesses", query_string=query)))

    assert listed() == {in_trial.id, reflecting.id, elsewhere.id, loose.id}
    assert listed(phase="trial") == {in_trial.id, elsewhere.id}
    assert listed(case_id=case.id) == {in_trial.id, reflecting.id}
    assert listed(case_id=case.id, phase="trial") == {in_trial.id}
    assert listed(phase="closed") == set()
    assert listed(q="fx-") == {in_trial.id, reflecting.id, loose.id}  # any case
    assert listed(q="fx", phase="reflection") == {reflecting.id}
    # The reference search is literal: "_" and "%" are not wildcards.
    assert listed(q="O_C") == {loose.id}
    assert listed(q="N_") == set()  # would match "NO" as a wildcard
    assert listed(q="%") == set()
    assert listed(q="") == listed()
    assert listed(case_id=2**31 - 1) == set()


def test_case_list_is_newest_first_and_filters_by_status(api, supervisor, make_case):
    charged = make_case(status=CaseStatus.charged)
    trial = make_case(status=CaseStatus.trial)
    later_trial = make_case(status=CaseStatus.trial)
    client = api(supervisor)
    assert ids(client.get("/api/v1/cases")) == [later_trial.id, trial.id, charged.id]
    assert ids(client.get("/api/v1/cases", query_string={"status": "trial"})) == [
        later_trial.id,
        trial.id,
    ]
    body = client.get("/api/v1/cases", query_string={"status": "trial", "per_page": 1}).get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (2, 2, 1)
