"""Hostile input to the pages is a clear 4xx that changes nothing, never a server error: a
booking page asked for the year 9999, a line break in ``?next=``, bodies and query strings that
are not UTF-8, numbers in other scripts' digits, and (through a real server) a chunked body over
the size limit."""

from __future__ import annotations

import gc
import html
import http.client
import re
import socket
import struct
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.auth.tokens import create_token
from witness.people.models import Witness

from .factories import PASSWORD
from .live import own_database, served_app, serving
from .test_bad_input import nothing_changes

NOT_UTF8 = "What you sent is not valid UTF-8 text, so it cannot be read."


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fullwidth(number: int) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in str(number))


# --- the booking page's ?start= ---------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    ["9999-12-31T23:59:59", "0001-01-01T00:00", "2026-13-01T10:00", "soon", "2101-01-01T00:00"],
)
def test_a_booking_page_for_an_impossible_start_is_400(db, login, world, start):
    """The year 9999 overflowed as the hour was added (500); now every start the page cannot
    use is a 400 saying what to give."""
    client = login(world.officer)
    response = client.get(f"/witnesses/{world.assigned.id}/appointments/new?start={start}")
    assert response.status_code == 400
    assert "Give a date and time between 1900 and 2100 as YYYY-MM-DDTHH:MM" in text_of(response)


def test_a_booking_page_for_a_real_start_is_filled_in(db, login, world):
    client = login(world.officer)
    response = client.get(f"/witnesses/{world.assigned.id}/appointments/new?start=2026-07-01T14:30")
    assert response.status_code == 200
    page = text_of(response)
    assert 'value="2026-07-01"' in page and 'value="14:30"' in page


# --- ?next= after sign-in ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/cases/%0d%0aSet-Cookie:%20stolen=1",
        "/cases/%0aLocation:%20https://evil.example",
        "/%09/evil.example",
        "/%5Cevil.example",
        "/cases/\u202e",
    ],
    ids=["crlf", "lf", "tab", "backslash", "bidi"],
)
def test_sign_in_with_a_hostile_next_goes_to_the_dashboard(app, db, world, target):
    """A line break in ?next= split the Location header (500); a backslash made it an open
    redirect ("/\\evil.example" is "//evil.example" to a browser). Both go to the dashboard."""
    client = app.test_client()
    client.fetch_token(f"/login?next={target}")
    response = client.submit(
        f"/login?next={target}", {"email": world.officer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert "Set-Cookie" not in response.headers.get("Location", "")
    assert not any("stolen" in value for value in response.headers.getlist("Set-Cookie"))


def test_sign_in_with_a_plain_next_still_goes_there(app, db, world):
    client = app.test_client()
    response = client.submit(
        "/login?next=/cases/%3Fq%3DT1", {"email": world.officer.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/cases/?q=T1"


# --- text that is not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [b"reference=VW-%FF%FE&legal_name=Ana", b"reference=VW-\xff\xfe&legal_name=Ana"],
    ids=["percent-encoded", "raw"],
)
def test_a_form_body_that_is_not_utf8_is_400_and_says_so(db, login, world, encoded):
    """It used to be kept as the text "%FF%FE" (a witness file opened under that reference), or
    the form was dropped and the person told it had expired."""
    client = login(world.officer)
    body = b"csrf_token=" + client.csrf_token.encode() + b"&" + encoded
    with nothing_changes(db):
        response = client.post(
            "/witnesses/new", data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
    assert NOT_UTF8 in text_of(response)
    assert "expired" not in text_of(response)


@pytest.mark.parametrize("query", ["q=%FF", "q=Jos%E9", "%C3=1"])
def test_a_query_string_that_is_not_utf8_is_400(db, login, world, query):
    client = login(world.officer)
    response = client.get(f"/witnesses/?{query}")
    assert response.status_code == 400
    assert NOT_UTF8 in text_of(response)


# --- numbers are ASCII digits -----------------------------------------------------------------


def test_an_id_in_other_digits_in_a_url_is_not_found(db, login, world):
    """werkzeug's int converter matched fullwidth "12" and int() read it as 12: the same file
    under a second address."""
    client = login(world.officer)
    assert client.get(f"/witnesses/{world.assigned.id}").status_code == 200
    assert client.get(f"/witnesses/{fullwidth(world.assigned.id)}").status_code == 404


def _references(response) -> list[str]:
    return re.findall(r"VW-\d+", text_of(response))


@pytest.mark.parametrize("page", [fullwidth(2), "\u0662", "2_0"])
def test_a_page_number_in_other_digits_is_the_first_page(db, login, world, make_witness, page):
    """A fullwidth "2" was read as page 2; a page number not in ASCII digits is ignored."""
    for _ in range(30):
        make_witness(case=world.case, officer=world.officer)
    client = login(world.officer)
    first, second = client.get("/witnesses/?page=1"), client.get("/witnesses/?page=2")
    assert _references(first) != _references(second)
    response = client.get(f"/witnesses/?page={page}")
    assert response.status_code == 200
    assert _references(response) == _references(first)


def test_a_select_value_in_other_digits_is_refused(db, login, world, make_court):
    """A forged court id in fullwidth digits was read as the court and the case opened."""
    court = make_court()
    client = login(world.officer)
    data = {
        "court_id": fullwidth(court.id),
        "reference": "FW-1",
        "title": "R v Fullwidth",
        "offences": ["violence"],
        "status": "charged",
        "lead_prosecutor_id": "",
        "notes": "",
    }
    with nothing_changes(db):
        response = client.submit("/cases/new", data)
        assert response.status_code == 400
    accepted = client.submit("/cases/new", data | {"court_id": str(court.id)})
    assert accepted.status_code == 302


def test_travel_minutes_in_other_digits_are_refused_beside_the_field(db, login, world):
    client = login(world.officer)
    url = f"/witnesses/{world.assigned.id}/appointments/new"
    data = {
        "kind": "pre_trial_meeting",
        "hearing_id": "",
        "date": "2030-03-12",
        "start": "10:00",
        "end": "11:00",
        "travel_minutes": fullwidth(15),
        "staff_ids": [str(world.officer.id)],
        "resource_id": "",
        "address": "Safe house office",
        "interpreter_id": "",
        "language": "",
        "notes": "",
    }
    with nothing_changes(db):
        response = client.submit(url, data)
        assert response.status_code == 400
    assert re.search(
        r'id="travel_minutes-error">Give a whole number, written with the digits 0-9\.<',
        response.get_data(as_text=True),
    )


# --- a chunked body over the limit, through a real server --------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A served app with an officer (and their API token), on a database of its own."""
    app = served_app(tmp_path_factory, own_database(tmp_path_factory, "hostile"))
    with app.extensions["witness.db"].sessionmaker() as db:
        office = Organisation(name="Hostile Office", kind=OrganisationKind.prosecution)
        officer = User(
            email="hostile.officer@live.example",
            name="Hostile Officer",
            role=Role.liaison_officer,
            organisation=office,
            password_hash="x",
        )
        db.add_all([office, officer])
        db.flush()
        _, token = create_token(db, officer, "hostile")
        db.commit()
    with serving(app) as url:
        yield url, token, app


def send_chunked(url: str, path: str, content_type: str, size: int, headers=None):
    """POST ``size`` bytes with ``Transfer-Encoding: chunked`` (no Content-Length)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def body():
        chunk = b"x" * 65536
        for _ in range(0, size, len(chunk)):
            yield chunk

    connection.request(
        "POST",
        path,
        body=body(),
        headers={"Content-Type": content_type, **(headers or {})},
        encode_chunked=True,
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), data.decode()


def test_a_chunked_form_over_the_limit_is_413(live):
    """It was cut at the limit without a word: the form arrived without its token and the
    person was told it had expired."""
    url, _, _ = live
    status, content_type, body = send_chunked(
        url, "/login", "application/x-www-form-urlencoded", 3 * 1024 * 1024
    )
    assert status == 413 and content_type.startswith("text/html")
    assert "What you sent is too large." in body


def test_a_chunked_json_body_over_the_limit_is_a_413_problem(live):
    url, token, app = live
    with app.extensions["witness.db"].sessionmaker() as db:
        before = db.scalars(select(Witness.id)).all()
    status, content_type, body = send_chunked(
        url,
        "/api/v1/witnesses",
        "application/json",
        3 * 1024 * 1024,
        {"Authorization": f"Bearer {token}"},
    )
    assert status == 413 and content_type == "application/problem+json"
    assert '"status": 413' in body
    with app.extensions["witness.db"].sessionmaker() as db:
        assert db.scalars(select(Witness.id)).all() == before


def test_a_chunked_body_within_the_limit_is_read_whole(live):
    url, token, _ = live
    response = requests.post(
        f"{url}/api/v1/witnesses",
        data=iter([b'{"reference": "VW-CHUNK", ', b'"legal_name": "Ana Pop"}']),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["reference"] == "VW-CHUNK"


def test_a_client_that_hangs_up_mid_response_leaves_no_file_open(live):
    """A browser drops connections for files it already has; each response's file is closed all
    the same (werkzeug's server alone would leave it open, to warn in some later test)."""
    url, _, _ = live
    parts = urlsplit(url)
    unraisable = []
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    threads_before = threading.active_count()
    try:
        for _ in range(60):
            client = socket.create_connection((parts.hostname, parts.port))
            client.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: witness\r\n\r\n")
            client.recv(16)
            # Linger 0: the close is a reset, as when a tab navigates away.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and threading.active_count() > threads_before:
            time.sleep(0.05)  # the server's request threads finish
        gc.collect()
    finally:
        sys.unraisablehook = previous_hook
    assert [str(u.exc_value) for u in unraisable] == []
