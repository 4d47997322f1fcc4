"""Bad input: every malformed, out-of-range, forged or unknown value is answered with a clear
error (the message beside the field, or a 4xx page) — never a server error — and changes
nothing in the database."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

import witness.models  # noqa: F401  (every table in Base.metadata, for the snapshot)
from witness.cases.models import Case, CustodyStatus, Defendant
from witness.db import Base
from witness.people import services
from witness.people.models import Assignment, NeedArea, Phase, Witness

from .factories import PASSWORD

#: rows that requests are meant to add even when they refuse (who tried what, sign-ins)
_LOG_TABLES = {"audit_events", "login_attempts"}

#: psycopg refuses a str holding NUL before it reaches the server; SQLite stores it

EXPIRED = "This form has expired or was not sent from Witness. Nothing was changed"


def snapshot(db) -> dict[str, list]:
    """Every row of every table except the logs, in key order."""
    return {
        table.name: db.execute(select(table).order_by(*table.primary_key.columns)).all()
        for table in Base.metadata.sorted_tables
        if table.name not in _LOG_TABLES
    }


@contextmanager
def nothing_changes(db):
    before = snapshot(db)
    yield
    after = snapshot(db)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], f"rows changed in {changed}"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field: str) -> list[str]:
    """The error messages shown beside ``field``."""
    pattern = rf'<p class="error" id="{field}-error">([^<]*)</p>'
    return re.findall(pattern, text_of(response))


# --- the forms, each with data that is accepted as it stands --------------------------------------


@dataclass
class Form:
    url: str
    data: dict


@pytest.fixture
def client(login, world):
    """Here, signed in as the liaison officer, who opens cases and witness files in their office
    (overrides the anonymous ``client`` of conftest)."""
    return login(world.officer)


@pytest.fixture
def forms(db, world, make_court, frozen_clock) -> dict[str, Form]:
    """Each form of the officer's, with valid data; the clock is frozen on 10 March 2026."""
    witness, case = world.assigned, world.case
    (participation,) = witness.participations
    need = services.record_need(
        db, world.officer, witness, NeedArea.transport, "Needs a taxi", date(2026, 4, 1)
    )
    defendant = Defendant(case=case, name="John Smith", custody_status=CustodyStatus.remanded)
    db.add(defendant)
    db.flush()
    case_data = {
        "court_id": str(make_court().id),
        "reference": "NEW-2026-1",
        "title": "R v Newcase",
        "offences": ["trafficking_forced_labour", "people_smuggling"],
        "status": "charged",
        "lead_prosecutor_id": str(world.prosecutor.id),
        "notes": "Opened after a referral.\nSecond line.",
    }
    witness_data = {
        "reference": "VW-NEW-1",
        "legal_name": "Jane Doe",
        "date_of_birth": "1995-04-02",
        "gender": "",
        "nationality": "",
        "languages": "Romanian, English",
        "guardian_name": "",
        "guardian_contact": "",
        "phone": "+44 7700 900123",
        "email": "",
        "address": "",
    }
    return {
        "case": Form("/cases/new", case_data),
        "case_edit": Form(
            f"/cases/{case.id}/edit",
            case_data | {"court_id": str(case.court_id), "reference": case.reference},
        ),
        "witness": Form("/witnesses/new", witness_data),
        "witness_edit": Form(
            f"/witnesses/{witness.id}/edit", witness_data | {"reference": witness.reference}
        ),
        "participation": Form(
            f"/witnesses/{witness.id}/participations",
            {
                "case_reference": world.other_case.reference,
                "role": "victim_witness",
                "reflection_end_date": "2026-05-01",
                "reason": "Identified in a second case",
            },
        ),
        "phase": Form(
            f"/witnesses/{witness.id}/participations/{participation.id}/phase",
            {"phase": "pre_trial", "reason": "Defendant charged"},
        ),
        "consent": Form(
            f"/witnesses/{witness.id}/consents",
            {"kind": "notify", "decision": "granted", "channel": "email", "notes": ""},
        ),
        "assignment": Form(
            f"/witnesses/{witness.id}/assignments", {"user_id": str(world.officer2.id)}
        ),
        "need": Form(
            f"/witnesses/{witness.id}/needs",
            {"area": "childcare", "notes": "Two children under 5", "review_date": "2026-04-15"},
        ),
        "need_review": Form(
            f"/witnesses/{witness.id}/needs/{need.id}/review",
            {"notes": "Taxi booked", "review_date": "2026-05-01", "is_open": "y"},
        ),
        "defendant": Form(
            f"/cases/{case.id}/defendants",
            {"name": "Ann Other", "custody_status": "on_bail", "expected_release_date": ""},
        ),
        "defendant_edit": Form(
            f"/cases/{case.id}/defendants/{defendant.id}/edit",
            {
                "name": "John Smith",
                "custody_status": "serving_sentence",
                "expected_release_date": "2030-06-30",
            },
        ),
    }


def post_bad(db, client, form: Form, **changes):
    """Post ``form`` with ``changes`` and check it is refused with 400 and nothing saved."""
    with nothing_changes(db):
        response = client.submit(form.url, form.data | changes)
        assert response.status_code == 400, response.status_code
    return response


@pytest.mark.parametrize(
    "name",
    [
        "case",
        "case_edit",
        "witness",
        "witness_edit",
        "participation",
        "phase",
        "consent",
        "assignment",
        "need",
        "need_review",
        "defendant",
        "defendant_edit",
    ],
)
def test_the_valid_data_is_accepted(db, client, forms, name):
    """Control: each form's baseline data is saved, so the refusals below are due to the one
    bad value they change."""
    before = snapshot(db)
    response = client.submit(forms[name].url, forms[name].data)
    assert response.status_code == 302, field_error_summary(response)
    assert snapshot(db) != before


def field_error_summary(response) -> list[str]:
    return re.findall(r'<p class="error[^"]*"[^>]*>([^<]*)</p>', text_of(response))


# --- dates ----------------------------------------------------------------------------------------

BAD_DATES = ["31/02/2026", "2026-02-31", "2026-13-01", "yesterday", "2026-1-1x", "0"]
DATE_FIELDS = [
    ("witness", "date_of_birth"),
    ("witness_edit", "date_of_birth"),
    ("participation", "reflection_end_date"),
    ("need", "review_date"),
    ("need_review", "review_date"),
    ("defendant", "expected_release_date"),
    ("defendant_edit", "expected_release_date"),
]


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize(("name", "field"), DATE_FIELDS)
def test_a_malformed_date_is_refused_beside_its_field(db, client, forms, name, field, value):
    """A date that is not a real YYYY-MM-DD date: 400, an error beside the field, nothing saved."""
    response = post_bad(db, client, forms[name], **{field: value})
    assert field_error(response, field)


@pytest.mark.parametrize(
    ("name", "field"),
    [pair for pair in DATE_FIELDS],
)
def test_a_malformed_date_is_called_invalid_not_missing(db, client, forms, name, field):
    """The message says the date is not valid — not that the field is empty, which it was not."""
    response = post_bad(db, client, forms[name], **{field: "31/02/2026"})
    assert field_error(response, field) == ["Not a valid date value."]


@pytest.mark.parametrize("value", ["1899-12-31", "2101-01-01"])
@pytest.mark.parametrize(("name", "field"), DATE_FIELDS)
def test_a_date_outside_1900_to_2100_is_refused(db, client, forms, name, field, value):
    """A real but implausible date (a typo in the year) is refused with the allowed range."""
    response = post_bad(db, client, forms[name], **{field: value})
    assert "Enter a date between 1900 and 2100." in field_error(response, field)


@pytest.mark.parametrize("name", ["witness", "witness_edit"])
def test_a_date_of_birth_in_the_future_is_refused(db, client, forms, name):
    """Tomorrow cannot be a date of birth (the clock stands at 10 March 2026); today can."""
    response = post_bad(db, client, forms[name], date_of_birth="2026-03-11")
    assert field_error(response, "date_of_birth") == ["This date cannot be in the future."]
    accepted = client.submit(forms[name].url, forms[name].data | {"date_of_birth": "2026-03-10"})
    assert accepted.status_code == 302


# --- unknown ids ----------------------------------------------------------------------------------


@pytest.fixture
def others(db, world):
    """Records that exist but belong to another witness or case than the one in the URL."""
    need = services.record_need(
        db, world.officer2, world.shared, NeedArea.language, "Interpreter", date(2026, 4, 1)
    )
    defendant = Defendant(
        case=world.other_case, name="Someone Else", custody_status=CustodyStatus.at_large
    )
    db.add(defendant)
    db.flush()
    (participation,) = world.unassigned.participations
    assignment = db.scalar(select(Assignment).where(Assignment.witness_id == world.shared.id))
    return {
        "participation": participation.id,
        "need": need.id,
        "defendant": defendant.id,
        "assignment": assignment.id,
    }


UNKNOWN = [
    ("GET", "/witnesses/999999"),
    ("GET", "/witnesses/999999/edit"),
    ("POST", "/witnesses/999999/edit"),
    ("POST", "/witnesses/999999/needs"),
    ("GET", "/cases/999999"),
    ("GET", "/cases/999999/edit"),
    ("POST", "/cases/999999/defendants"),
    ("GET", "/witnesses/{w}/participations/999999/phase"),
    ("POST", "/witnesses/{w}/participations/999999/phase"),
    ("GET", "/witnesses/{w}/participations/{other_participation}/phase"),
    ("POST", "/witnesses/{w}/participations/{other_participation}/phase"),
    ("GET", "/cases/{c}/defendants/999999/edit"),
    ("POST", "/cases/{c}/defendants/999999/edit"),
    ("POST", "/cases/{c}/defendants/{other_defendant}/edit"),
    ("GET", "/witnesses/{w}/needs/999999/review"),
    ("POST", "/witnesses/{w}/needs/999999/review"),
    ("POST", "/witnesses/{w}/needs/{other_need}/review"),
    ("POST", "/witnesses/{w}/assignments/999999/end"),
    ("POST", "/witnesses/{w}/assignments/{other_assignment}/end"),
]


@pytest.mark.parametrize(("method", "pattern"), UNKNOWN, ids=[f"{m} {p}" for m, p in UNKNOWN])
def test_an_unknown_id_or_one_of_another_record_is_not_found(
    db, world, client, others, method, pattern
):
    """An id that does not exist, or belongs to another witness or case than the URL's: 404 with
    the not-found page, and nothing changed (a posted form is well formed, so only the id is
    wrong)."""
    url = pattern.format(
        w=world.assigned.id,
        c=world.case.id,
        **{f"other_{key}": value for key, value in others.items()},
    )
    data = {
        "phase": "pre_trial",
        "reason": "Moving on",
        "notes": "Changed",
        "review_date": "2026-05-01",
        "name": "Renamed",
        "custody_status": "released",
        "area": "transport",
        "reference": "VW-X",
        "legal_name": "X",
    }
    with nothing_changes(db):
        response = client.submit(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 404
    assert "There is nothing here, or you do not have access to it." in text_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/witnesses/2147483648",
        "/witnesses/99999999999999999999",
        "/witnesses/99999999999999999999/edit",
        "/cases/99999999999999999999",
        "/cases/{c}/defendants/2147483648/edit",
        "/witnesses/{w}/participations/99999999999999999999/phase",
        "/witnesses/{w}/needs/99999999999999999999/review",
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(db, world, client, url):
    """An id beyond any integer column is simply not found, not a server error."""
    with nothing_changes(db):
        response = client.get(url.format(w=world.assigned.id, c=world.case.id))
        assert response.status_code == 404


# --- duplicates -----------------------------------------------------------------------------------


def case_count(db) -> int:
    return db.scalar(select(func.count()).select_from(Case))


def test_a_duplicate_case_reference_at_the_same_court_is_refused(db, world, client, forms):
    """The court's reference is unique within that court: 400, the reference named, no case."""
    response = post_bad(
        db,
        client,
        forms["case"],
        court_id=str(world.case.court_id),
        reference=world.case.reference,
    )
    assert field_error(response, "reference") == [
        f"A case with reference '{world.case.reference}' already exists at this court."
    ]


def test_the_same_case_reference_at_another_court_is_accepted(db, world, client, forms):
    """Two courts may use the same number: a new case is opened at the other court."""
    before = case_count(db)
    response = client.submit(
        forms["case"].url, forms["case"].data | {"reference": world.case.reference}
    )
    assert response.status_code == 302
    assert case_count(db) == before + 1
    courts = db.scalars(select(Case.court_id).where(Case.reference == world.case.reference)).all()
    assert sorted(courts) == sorted([world.case.court_id, int(forms["case"].data["court_id"])])


def test_renaming_a_case_to_a_reference_taken_at_its_court_is_refused(db, world, make_case, client):
    """Editing runs the same check: the other case keeps its reference, this one keeps its own."""
    taken = make_case(court=world.case.court, reference="TAKEN-1")
    form = Form(
        f"/cases/{world.case.id}/edit",
        {
            "court_id": str(world.case.court_id),
            "reference": taken.reference,
            "title": world.case.title,
            "offences": ["trafficking_forced_labour"],
            "status": "charged",
            "lead_prosecutor_id": str(world.prosecutor.id),
        },
    )
    response = post_bad(db, client, form)
    assert field_error(response, "reference") == [
        "A case with reference 'TAKEN-1' already exists at this court."
    ]


@pytest.mark.parametrize("name", ["witness", "witness_edit"])
def test_a_duplicate_witness_reference_is_refused_beside_the_field(db, world, client, forms, name):
    """Witness references are unique across the service: the error sits beside the field."""
    response = post_bad(db, client, forms[name], reference=world.unassigned.reference)
    assert field_error(response, "reference") == [
        f"The reference '{world.unassigned.reference}' is already in use."
    ]


# --- lengths and characters -----------------------------------------------------------------------

TOO_LONG = [
    ("case", "title", 201, 200),
    ("case", "reference", 61, 60),
    ("case", "notes", 5001, 5000),
    ("case_edit", "title", 201, 200),
    ("witness", "reference", 61, 60),
    ("witness", "legal_name", 201, 200),
    ("witness", "address", 501, 500),
    ("witness_edit", "phone", 41, 40),
    ("participation", "reason", 2001, 2000),
    ("phase", "reason", 2001, 2000),
    ("consent", "notes", 2001, 2000),
    ("need", "notes", 4001, 4000),
    ("need_review", "notes", 4001, 4000),
    ("defendant", "name", 201, 200),
]


@pytest.mark.parametrize(
    ("name", "field", "length", "limit"), TOO_LONG, ids=[f"{n}.{f}" for n, f, _, _ in TOO_LONG]
)
def test_text_over_its_length_limit_is_refused(db, client, forms, name, field, length, limit):
    """One character over the limit: 400 and the limit stated beside the field."""
    response = post_bad(db, client, forms[name], **{field: "x" * length})
    assert field_error(response, field) == [f"Field cannot be longer than {limit} characters."]


def test_text_exactly_at_its_limit_is_accepted(db, client, forms):
    """The limits are inclusive: a 60-character reference and 200-character title are saved."""
    data = forms["case"].data | {"reference": "R" * 60, "title": "T" * 200, "notes": "n" * 5000}
    assert client.submit(forms["case"].url, data).status_code == 302
    assert db.scalar(select(Case.title).where(Case.reference == "R" * 60)) == "T" * 200


ONE_LINE = "Use one line of plain text, without line breaks or control characters."
CONTROL = [
    ("case", "reference", "VW\n1", ONE_LINE),
    ("case", "reference", "VW\r1", ONE_LINE),
    ("case", "title", "R v \x07Smith", ONE_LINE),
    ("witness", "reference", "VW\n1", ONE_LINE),
    ("witness", "legal_name", "Jane\x1bDoe", ONE_LINE),
    ("witness_edit", "phone", "0770\x7f0", ONE_LINE),
    ("defendant", "name", "John\nSmith", ONE_LINE),
    ("case", "notes", "Referral \x07received", "Remove the control characters from this text."),
    ("need", "notes", "Taxi\x0bbooked", "Remove the control characters from this text."),
]


@pytest.mark.parametrize(
    ("name", "field", "value", "message"),
    CONTROL,
    ids=[f"{n}.{f}-{v!r}" for n, f, v, _ in CONTROL],
)
def test_line_breaks_and_control_characters_are_refused(
    db, client, forms, name, field, value, message
):
    """One-line fields take no line breaks or control characters; notes take line breaks only."""
    response = post_bad(db, client, forms[name], **{field: value})
    assert field_error(response, field) == [message]


# --- forged forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["no-token", "wrong-token"])
@pytest.mark.parametrize("name", ["case", "witness", "phase", "need"])
def test_a_form_without_a_valid_csrf_token_is_refused(db, client, forms, name, token):
    """A post without the session's token (another site's form): 400, the 'expired' message."""
    data = dict(forms[name].data)
    if token is not None:
        data["csrf_token"] = token
    with nothing_changes(db):
        response = client.post(forms[name].url, data=data)
        assert response.status_code == 400
    assert EXPIRED in text_of(response)


def test_sign_out_without_a_csrf_token_is_refused(db, client):
    """A forged sign-out does not sign the user out."""
    with nothing_changes(db):
        response = client.post("/logout")
        assert response.status_code == 400
    assert EXPIRED in text_of(response)
    assert client.get("/").status_code == 200


# --- values that are not among the choices --------------------------------------------------------

NOT_A_CHOICE = [
    ("case", "status", "bogus"),
    ("case", "offences", ["piracy"]),
    ("case", "offences", ["trafficking_forced_labour", "piracy"]),
    ("case_edit", "status", "bogus"),
    ("phase", "phase", "flying"),
    ("phase", "phase", ""),
    ("phase", "phase", "trial"),  # a real phase the rules do not allow from reflection
    ("consent", "kind", "xyz"),
    ("consent", "decision", "maybe"),
    ("consent", "channel", "pigeon"),
    ("participation", "role", "defendant"),
    ("need", "area", "xyz"),
    ("defendant", "custody_status", "free"),
    ("defendant_edit", "custody_status", "free"),
    ("case", "court_id", "abc"),
    ("case", "court_id", "999999"),
    ("case", "lead_prosecutor_id", "abc"),
    ("case", "lead_prosecutor_id", "999999"),
    ("participation", "court_id", "x"),
    ("participation", "court_id", "999999"),
    ("consent", "case_id", "x"),
    ("consent", "organisation_id", "x"),
    ("assignment", "user_id", "1 OR 1=1"),
    ("assignment", "user_id", "abc"),
    ("assignment", "user_id", "999999"),
]


@pytest.mark.parametrize(
    ("name", "field", "value"),
    NOT_A_CHOICE,
    ids=[f"{n}.{f}={v!r}" for n, f, v in NOT_A_CHOICE],
)
def test_a_value_that_is_not_one_of_the_choices_is_refused(db, client, forms, name, field, value):
    """Enum and id selects accept only what they offer: a forged value is 400 with an error
    beside the field, never a server error."""
    response = post_bad(db, client, forms[name], **{field: value})
    assert field_error(response, field)


def test_a_case_from_another_office_cannot_be_joined(db, world, make_case, client, forms):
    """A case id that exists but is not the officer's to see is refused like an unknown one."""
    foreign_case = make_case(organisation=world.other_office)
    response = post_bad(db, client, forms["participation"], case_reference=foreign_case.reference)
    assert field_error(response, "case_reference") == [
        f"No case with reference {foreign_case.reference!r} that you can see."
    ]


def test_a_phase_change_posted_for_an_unmanaged_witness_is_not_found(db, world, client):
    """Another office's witness: the officer cannot learn it exists, let alone move it."""
    (participation,) = world.shared.participations
    with nothing_changes(db):
        response = client.submit(
            f"/witnesses/{world.foreign.id}/participations/{participation.id}/phase",
            {"phase": "pre_trial", "reason": "x"},
        )
        assert response.status_code == 404


# --- query strings --------------------------------------------------------------------------------

QUERIES = [
    "/witnesses/?page=abc",
    "/witnesses/?page=-5",
    "/witnesses/?page=0",
    "/witnesses/?page=999999",
    "/witnesses/?page=99999999999999999999",
    "/witnesses/?phase=bogus",
    "/witnesses/?case_id=abc",
    "/witnesses/?case_id=-1",
    "/witnesses/?q=%25_%5C",
    "/witnesses/?q=" + "x" * 5000,
    "/cases/?status=bogus",
    "/cases/?page=abc",
    "/cases/?q=%27%20OR%201%3D1--",
]


@pytest.mark.parametrize("url", QUERIES)
def test_odd_query_strings_still_show_the_list(db, world, client, url):
    """Filters and page numbers that make no sense are ignored or clamped: the list shows."""
    with nothing_changes(db):
        response = client.get(url)
        assert response.status_code == 200


def test_an_out_of_range_page_shows_the_last_page(db, world, client):
    """Page 999999 of one page of witnesses is page 1, with the officer's witness on it."""
    page = text_of(client.get("/witnesses/?page=999999"))
    assert world.assigned.reference in page
    assert "1 in all" in page


@pytest.mark.parametrize(
    "url",
    [
        "/witnesses/?case_id=2147483648",
        "/witnesses/?case_id=99999999999999999999",
    ],
)
def test_query_values_the_database_cannot_take_still_show_the_list(db, world, client, url):
    """A huge id or a NUL byte in a filter is not a server error."""
    with nothing_changes(db):
        response = client.get(url)
        assert response.status_code == 200


def test_a_refused_post_leaves_the_session_working(db, world, client, forms):
    """After a refused post the same session still works: the witness page opens."""
    post_bad(db, client, forms["phase"], phase="flying")
    assert client.get(f"/witnesses/{world.assigned.id}").status_code == 200
    db.expire_all()
    (participation,) = world.assigned.participations
    assert participation.phase is Phase.reflection


@pytest.mark.parametrize(
    "email", ["officer\x00@test.example", "\x00"], ids=["nul-in-address", "only-nul"]
)
def test_sign_in_with_a_nul_byte_is_refused(app, db, world, email):
    """A NUL byte in the sign-in e-mail is a failed sign-in (or a 400), not a server error."""
    anonymous = app.test_client()
    with nothing_changes(db):
        response = anonymous.submit("/login", {"email": email, "password": PASSWORD})
        assert response.status_code in (400, 401)
    assert anonymous.get("/").status_code == 302


def test_a_witness_without_a_legal_name_is_not_opened(db, client, forms):
    """Required fields left blank (or only spaces) are refused beside the field."""
    response = post_bad(db, client, forms["witness"], legal_name="   ", reference="")
    assert field_error(response, "legal_name") == ["This field is required."]
    assert field_error(response, "reference") == ["This field is required."]
    assert db.scalar(select(Witness.id).where(Witness.reference == "VW-NEW-1")) is None


NUL = "contains an invisible NUL character"


@pytest.mark.parametrize(
    ("name", "field"), [("case", "title"), ("phase", "reason"), ("witness", "legal_name")]
)
def test_a_nul_byte_in_a_form_is_refused_and_named(db, client, forms, name, field):
    """PostgreSQL cannot store NUL: every form refuses it with a message, and nothing changes."""
    with nothing_changes(db):
        response = client.submit(forms[name].url, forms[name].data | {field: "text\x00"})
        assert response.status_code == 400
        assert NUL in text_of(response)


@pytest.mark.parametrize("url", ["/witnesses/?q=%00", "/cases/?q=a%00b", "/audit/?action=%00"])
def test_a_nul_byte_in_a_search_is_refused_and_named(db, world, client, url):
    with nothing_changes(db):
        response = client.get(url)
        assert response.status_code == 400
        assert NUL in text_of(response)
