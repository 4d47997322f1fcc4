"""Text hygiene: what reaches references, names, notes, .ics files and CSV exports.

Refused everywhere: bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: a
line displays in another order than it is stored), C0 and C1 controls. Refused in one-line
fields besides: line and paragraph separators (U+2028, U+2029), tabs, and the invisible
direction marks (U+200E, U+200F, U+061C), which would make two references that look alike
different. Every text is stored in Unicode normal form C, so the same name typed on two
keyboards is the same name.
"""

# ruff: noqa: F811  (the imported fixtures below are these tests' parameters)
from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from witness.cases.models import Case
from witness.core.errors import DomainError
from witness.core.text import clean_text
from witness.people.models import NeedsAssessment, Witness
from witness.scheduling.models import AppointmentKind
from witness.scheduling.services import Booking, book_appointment

# The forms with valid data, the signed-in officer (``client``) and the API client factory are
# the fixtures of those modules, taken as they are.
from .api.conftest import api, assert_problem, token_for  # noqa: F401
from .api.conftest import nothing_changes as nothing_changes_but_tokens
from .test_bad_input import client, field_error, forms, nothing_changes, post_bad  # noqa: F401

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "VW-1\u202e9-" shows as "VW-1-9"
BIDI_MESSAGE = (
    "Remove the invisible text-direction character U+202E (RIGHT-TO-LEFT OVERRIDE): it makes "
    "the text display in a different order from how it is stored."
)
ONE_LINE = "Use one line of plain text, without line breaks or control characters."
CONTROL = "Remove the control characters from this text."


# --- the pages -------------------------------------------------------------------------------

ONE_LINE_FIELDS = [
    ("witness", "reference"),
    ("witness", "legal_name"),
    ("witness_edit", "phone"),
    ("case", "reference"),
    ("case", "title"),
    ("defendant", "name"),
]
NOTE_FIELDS = [("case", "notes"), ("need", "notes"), ("phase", "reason"), ("witness", "address")]


@pytest.mark.parametrize("char", [RLO, "\u202a", "\u2066", "\u2069"])
@pytest.mark.parametrize(("name", "field"), ONE_LINE_FIELDS + NOTE_FIELDS)
def test_bidi_controls_are_refused_in_every_text_field(db, client, forms, name, field, char):
    response = post_bad(db, client, forms[name], **{field: f"Smith{char}htimS"})
    (message,) = field_error(response, field)
    assert message.startswith(f"Remove the invisible text-direction character U+{ord(char):04X}")


def test_the_bidi_message_names_the_character_and_why(db, client, forms):
    response = post_bad(db, client, forms["witness"], reference=f"VW-1{RLO}9-")
    assert field_error(response, "reference") == [BIDI_MESSAGE]


@pytest.mark.parametrize(
    ("char", "one_line", "notes"),
    [
        ("\x85", ONE_LINE, CONTROL),  # NEL, a C1 control and a line break to some readers
        ("\x9b", ONE_LINE, CONTROL),  # CSI, starts terminal escape sequences
        ("\u2028", ONE_LINE, None),  # LINE SEPARATOR: a line break, fine in notes
        ("\u2029", ONE_LINE, None),
        ("\t", ONE_LINE, None),
    ],
    ids=["NEL", "CSI", "LS", "PS", "tab"],
)
def test_c1_controls_and_separators(db, client, forms, char, one_line, notes):
    response = post_bad(db, client, forms["witness"], legal_name=f"Jane{char}Doe")
    assert field_error(response, "legal_name") == [one_line]
    data = forms["need"].data | {"notes": f"Taxi{char}booked"}
    if notes is None:
        assert client.submit(forms["need"].url, data).status_code == 302
    else:
        response = post_bad(db, client, forms["need"], notes=f"Taxi{char}booked")
        assert field_error(response, "notes") == [notes]


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_direction_marks_are_refused_in_a_reference_but_not_in_notes(db, client, forms, mark):
    """An invisible mark makes "VW-1" and "VW-1<RLM>" two references that look the same; in
    prose written right to left a mark is how punctuation is put in its place."""
    response = post_bad(db, client, forms["witness"], reference=f"VW-1{mark}")
    (message,) = field_error(response, "reference")
    assert message.startswith(f"Remove the invisible direction mark U+{ord(mark):04X}")
    notes = f"\u0627\u0644\u0641\u0646\u062f\u0642 (3){mark}"
    data = forms["need"].data | {"notes": notes}
    assert client.submit(forms["need"].url, data).status_code == 302
    assert db.scalar(select(NeedsAssessment.notes).where(NeedsAssessment.notes == notes))


def test_text_is_stored_composed_and_counted_so(db, client, forms):
    """ "e" + a combining accent (as some keyboards send it) is stored as "é"; the length limit
    counts what is stored: 35 accented letters fit a 60-character reference."""
    decomposed = "VW-" + "e\u0301" * 35
    assert len(decomposed) > 60
    data = forms["witness"].data | {"reference": decomposed, "legal_name": "Jose\u0301 Pe\u0301rez"}
    assert client.submit(forms["witness"].url, data).status_code == 302
    # found by its composed reference: the legal name is encrypted and cannot be searched
    composed = unicodedata.normalize("NFC", decomposed)
    witness = db.scalar(select(Witness).where(Witness.reference == composed))
    assert witness.legal_name == "Jos\u00e9 P\u00e9rez"
    assert witness.reference == unicodedata.normalize("NFC", decomposed)
    assert len(witness.reference) == 38


def test_the_same_reference_typed_two_ways_is_a_duplicate(db, client, forms):
    """A file under "VW-É" exists; opening "VW-E" + combining accent is refused as the same."""
    composed = forms["witness"].data | {"reference": "VW-\u00c9"}
    assert client.submit(forms["witness"].url, composed).status_code == 302
    response = post_bad(db, client, forms["witness"], reference="VW-E\u0301")
    assert field_error(response, "reference") == ["The reference 'VW-\u00c9' is already in use."]


def test_notes_without_the_strip_filter_are_composed_too(db, client, forms):
    """A case's notes field has no filter of its own: the check composes it all the same."""
    data = forms["case"].data | {"notes": "Cafe\u0301 meeting"}
    assert client.submit(forms["case"].url, data).status_code == 302
    notes = db.scalar(select(Case.notes).where(Case.reference == data["reference"]))
    assert notes == "Caf\u00e9 meeting"


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api_client(api, world):
    return api(world.officer)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reference", f"VW-9{RLO}1", BIDI_MESSAGE),
        ("legal_name", "Jane\u2028Doe", ONE_LINE),
        ("legal_name", "Jane\x9bDoe", ONE_LINE),
        ("address", f"1 High St{RLO}", BIDI_MESSAGE),
        ("address", "1 High St\x85Leeds", CONTROL),
    ],
)
def test_the_api_refuses_the_same_characters(db, api_client, field, value, message):
    body = {"reference": "VW-API-1", "legal_name": "Ana Pop", field: value}
    with nothing_changes_but_tokens(db):
        problem = assert_problem(api_client.post("/api/v1/witnesses", json=body), 422)
    assert problem["errors"] == {field: [message]}


def test_the_api_stores_text_composed(db, api_client):
    body = {"reference": "VW-API-e\u0301", "legal_name": "Zoe\u0308 Ade\u0301"}
    response = api_client.post("/api/v1/witnesses", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["reference"] == "VW-API-\u00e9"
    witness = db.get(Witness, response.get_json()["id"])
    assert witness.legal_name == "Zo\u00eb Ad\u00e9"


def test_the_documented_patterns_refuse_what_the_api_refuses(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    properties = spec["components"]["schemas"]["WitnessInput"]["properties"]
    for escape in ("\\u202a-\\u202e", "\\u2066-\\u2069", "\\x7f-\\x9f", "\\u2028"):
        assert escape in properties["reference"]["pattern"]
    assert "\\u2028" not in properties["address"]["pattern"]  # several lines are fine there
    assert "\\u202a-\\u202e" in properties["address"]["pattern"]


# --- services --------------------------------------------------------------------------------


def test_services_compose_and_refuse_through_clean_text(db, world, frozen_clock):
    assert clean_text(" Cafe\u0301 ", "notes") == "Caf\u00e9"
    with pytest.raises(DomainError) as refused:
        clean_text(f"Room{RLO}", "address")
    assert (refused.value.field, refused.value.message) == ("address", BIDI_MESSAGE)
    start = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    booking = Booking(
        kind=AppointmentKind.pre_trial_meeting,
        start=start,
        end=start.replace(hour=11),
        staff_ids=[world.officer.id],
        address="Safe house office",
        notes=f"Bring {RLO}the letter",
    )
    with pytest.raises(DomainError) as refused:
        book_appointment(db, world.officer, world.assigned, booking)
    assert refused.value.field == "notes"


# --- the same text, found however it was typed -----------------------------------------------


def test_a_search_typed_decomposed_finds_the_stored_reference(db, client, forms):
    """References are stored composed, so the search box composes what is typed too."""
    data = forms["witness"].data | {"reference": "VW-\u00c9LAN"}
    assert client.submit(forms["witness"].url, data).status_code == 302
    client.get("/")  # shows (and so clears) the "opened" message naming the reference
    assert "VW-\u00c9LAN" not in client.get("/witnesses/?q=NOTHING").get_data(as_text=True)
    page = client.get("/witnesses/?q=E%CC%81LAN").get_data(as_text=True)
    assert "VW-\u00c9LAN" in page


def test_a_listing_number_sent_decomposed_finds_the_hearing(api, db, world):
    from datetime import timedelta

    from witness.cases.models import Hearing, HearingType
    from witness.core.time import now_utc

    start = now_utc().replace(microsecond=0) + timedelta(days=10)
    hearing = Hearing(
        case_id=world.case.id,
        court_id=world.case.court_id,
        type=HearingType.trial_day,
        start_dt=start,
        end_dt=start + timedelta(hours=3),
        external_ref="L-\u00c9-1",
    )
    db.add(hearing)
    db.flush()
    moved = {
        "start": (start + timedelta(days=1)).isoformat(),
        "end": (start + timedelta(days=1, hours=3)).isoformat(),
        "reason": "Relisted",
    }
    url = f"/api/v1/courts/{world.case.court_id}/listings/L-E%CC%81-1/moves"
    response = api(world.officer).post(url, json=moved)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["hearing"]["id"] == hearing.id


# --- settings are numbers in ASCII digits too -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WITNESS_SMTP_PORT", "\uff15\uff18\uff17"),
        ("WITNESS_SMTP_PORT", "\u00b2\u00b2"),
        ("WITNESS_DISCLOSURE_INLINE_MAX", "\uff12\uff10\uff10\uff10"),
        ("WITNESS_DISCLOSURE_INLINE_MAX", "\u00b2"),
    ],
)
def test_a_setting_in_other_digits_stops_start_up_with_its_name(monkeypatch, tmp_path, name, value):
    """str.isdigit() took these: fullwidth digits were read as the number, superscripts
    crashed start-up with a traceback instead of the message naming the setting."""
    from witness.config import ConfigError, build_config

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        build_config(tmp_path)
