"""The export that answers an access request: every section for a witness with data in every
feature, nothing of another witness (not even one booked with them), what is withheld said with
its reason, the PDF readable back in the witness's own script; refused to anyone else."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from tests import pdf_read
from tests.subject_access.conftest import OTHER, THAI_NAME
from witness.audit.models import AuditEvent
from witness.auth.models import OrganisationKind, Role
from witness.db import Base
from witness.subject_access import services
from witness.subject_access.collect import COVERED, SCHEMA, SECTIONS
from witness.subject_access.models import AccessRequest


def _request(db, world, actor=None):
    return services.record_access_request(
        db,
        actor or world.supervisor,
        world.assigned,
        date(2026, 3, 5),
        "Seen in person with her residence permit",
    )


def test_json_has_every_section_with_data(db, full, frozen_clock):
    asked = _request(db, full)
    body = services.export_data(db, full.officer, full.assigned, asked, "json", frozen_clock.now())
    doc = json.loads(body)
    assert doc["schema"] == SCHEMA
    empty = [key for key, _ in SECTIONS if key not in doc or not doc[key]]
    assert empty == []
    assert doc["personal_details"][0]["legal_name"] == THAI_NAME
    assert doc["support_items"][0]["value"] == "12.50"
    assert doc["letters"][0]["text"] == "The verdict was guilty."
    assert doc["appointments"][0]["interpreter"] == {
        "name": "Anong Interpreter",
        "languages": ["th"],
    }
    assert doc["access_requests"][0]["identity_check"].startswith("Seen in person")
    assert {e["action"] for e in doc["access_log"]} >= {"witness.view"}
    # keys in a fixed order, so the same data gives the same bytes (the second export differs
    # only by the first one's line in the access log)
    pairs = json.loads(body, object_pairs_hook=lambda kv: [k for k, _ in kv])
    assert pairs == sorted(pairs)
    again = json.loads(
        services.export_data(db, full.officer, full.assigned, asked, "json", frozen_clock.now())
    )
    assert again.pop("access_log")[-1]["action"] == "witness.data_exported"

    def without_log(d):
        rest = {k: v for k, v in d.items() if k not in ("access_log", "withheld")}
        return rest, [w for w in d["withheld"] if w["section"] != "access_log"]

    assert without_log(again) == without_log(doc)


def test_withheld_is_said_with_reasons_and_never_given(db, full, frozen_clock):
    asked = _request(db, full)
    text = services.export_data(
        db, full.officer, full.assigned, asked, "json", frozen_clock.now()
    ).decode()
    doc = json.loads(text)
    withheld = {w["what"]: w for w in doc["withheld"]}
    assert all(w["reason"] for w in doc["withheld"])
    assert any("group bookings" in what for what in withheld)
    assert any("Interpreters' e-mail" in what for what in withheld)
    assert any("reported each incident" in what for what in withheld)
    for secret in (
        "anong.secret@interp.example",
        "Police intel on cousin",
        "Neighbour Ned",
        "POL-123",
        "Officer copy",
        "f" * 64,  # the calendar feed's token hash
    ):
        assert secret not in text
    assert "A car waited outside" in text  # the incident itself is theirs


def test_nothing_of_another_witness_even_booked_with_them(db, full, frozen_clock):
    asked = _request(db, full)
    for fmt in ("json", "pdf"):
        body = services.export_data(db, full.officer, full.assigned, asked, fmt, frozen_clock.now())
        text = body.decode() if fmt == "json" else pdf_read.text(body)
        for value in (*OTHER.values(), full.unassigned.reference, "Zebulon's own note"):
            assert value not in text, (fmt, value)
    doc = json.loads(
        services.export_data(db, full.officer, full.assigned, asked, "json", frozen_clock.now())
    )
    assert {a["witness_id"] for a in doc["appointments"]} == {full.assigned.id}
    assert {e["object_id"] for e in doc["access_log"] if e["object_type"] == "witness"} == {
        full.assigned.id
    }
    assert doc["appointments"][0]["shared_booking"] is True


def test_pdf_reads_back_with_the_name_in_thai_and_every_section(db, full, frozen_clock):
    asked = _request(db, full)
    pdf = services.export_data(db, full.officer, full.assigned, asked, "pdf", frozen_clock.now())
    text = pdf_read.text(pdf)
    squeezed = pdf_read.squeezed(text)
    assert pdf_read.squeezed(THAI_NAME) in squeezed
    assert "Contents" in text and "What is withheld and why" in text
    for number, (_, title) in enumerate(SECTIONS, start=1):
        assert pdf_read.squeezed(f"{number}. {title}") in squeezed, title
    pages = pdf_read.pages(pdf)
    assert f"Page {pages} of {pages}" in text
    fonts = pdf_read.fonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    assert any("Thai" in f["name"] for f in fonts)


def test_generation_is_audited_with_counts_never_values(db, full, frozen_clock):
    asked = _request(db, full)
    services.export_data(db, full.officer, full.assigned, asked, "pdf", frozen_clock.now())
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "witness.data_exported"))
    assert event.witness_id == full.assigned.id and event.actor_id == full.officer.id
    assert event.detail["format"] == "pdf"
    assert event.detail["counts"]["support_items"] == 1
    assert event.detail["counts"]["appointments"] == 1
    assert THAI_NAME not in json.dumps(event.detail, ensure_ascii=False)


def test_download_from_the_page(db, full, login, frozen_clock):
    asked = _request(db, full)
    client = login(full.officer)
    base = f"/witnesses/{full.assigned.id}/own-data/access-requests/{asked.id}"
    response = client.get(f"{base}.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.data)["personal_details"][0]["legal_name"] == THAI_NAME
    response = client.get(f"{base}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    assert db.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "witness.data_exported").limit(1)
    )


def test_refused_to_an_ngo_worker_of_another_organisation(db, full, login, make_org, make_user):
    asked = _request(db, full)
    stranger = make_user(Role.ngo_worker, organisation=make_org(OrganisationKind.ngo))
    client = login(stranger)
    witness_id = full.assigned.id
    for url in (
        f"/witnesses/{witness_id}/own-data",
        f"/witnesses/{witness_id}/own-data/access-requests/{asked.id}.json",
        f"/witnesses/{witness_id}/own-data/access-requests/{asked.id}.pdf",
    ):
        assert client.get(url).status_code == 404
    refusals = db.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == stranger.id, AuditEvent.action.endswith("refused")
        )
    ).all()
    assert len(refusals) == 3 and {r.witness_id for r in refusals} == {witness_id}
    assert not db.scalar(select(AuditEvent.id).where(AuditEvent.action == "witness.data_exported"))


def test_seeing_the_file_is_not_enough(db, full, login):
    """The NGO a file is shared with (identity included), an administrator of the office and
    an officer not assigned to the witness are refused, each refusal audited."""
    cases = [
        (full.ngo_worker, full.shared_identity, "witness.data_request_refused"),
        (full.admin, full.assigned, "witness.data_request_refused"),
        (full.officer2, full.assigned, "witness.refused"),
    ]
    for user, witness, action in cases:
        client = login(user)
        assert client.get(f"/witnesses/{witness.id}/own-data").status_code == 404
        audited = db.scalar(
            select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.action == action)
        )
        assert audited is not None and audited.witness_id == witness.id


def test_missing_identity_check_is_refused_and_nothing_recorded(db, full, login):
    client = login(full.supervisor)
    response = client.submit(
        f"/witnesses/{full.assigned.id}/own-data/access-requests",
        {"received_date": "2026-03-05", "identity_check": "  "},
    )
    assert response.status_code == 400
    assert "Say how you checked that the request comes from the witness." in response.get_data(
        as_text=True
    )
    assert db.scalar(select(AccessRequest.id)) is None


def test_recorded_from_the_page(db, full, login, frozen_clock):
    client = login(full.supervisor)
    response = client.submit(
        f"/witnesses/{full.assigned.id}/own-data/access-requests",
        {"received_date": "2026-03-05", "identity_check": "Called back on the safe number"},
    )
    assert response.status_code == 302
    asked = db.scalar(select(AccessRequest))
    assert asked.identity_check == "Called back on the safe number"
    assert asked.recorded_by_id == full.supervisor.id
    page = client.get(f"/witnesses/{full.assigned.id}/own-data").get_data(as_text=True)
    assert f"access-requests/{asked.id}.pdf" in page


def test_every_table_about_a_witness_is_in_the_export_or_withheld():
    """A new feature's table with a ``witness_id`` fails here until the export answers for it
    (a section, or a withheld entry with its reason)."""
    tables = {t.name for t in Base.metadata.tables.values() if "witness_id" in t.columns}
    assert tables == set(COVERED)
    sections = {key for key, _ in SECTIONS}
    assert {v for v in COVERED.values() if v != "withheld"} <= sections


def test_a_request_named_under_another_witness_is_refused(db, full, login):
    """The supervisor sees both witnesses; one's request under the other's URL gives nothing."""
    asked = _request(db, full)
    client = login(full.supervisor)
    url = f"/witnesses/{full.unassigned.id}/own-data/access-requests/{asked.id}.json"
    assert client.get(url).status_code == 404
    refused = db.scalar(select(AuditEvent).where(AuditEvent.action == "access_request.refused"))
    assert refused.object_id == asked.id and refused.witness_id == full.unassigned.id
    assert not db.scalar(select(AuditEvent.id).where(AuditEvent.action == "witness.data_exported"))


def test_a_thai_letter_comes_back_in_its_own_words(app, db, world, frozen_clock):
    """The letter's words are read back from the printed PDF with every Thai mark in place."""
    import hashlib

    from tests.letters.test_content import ENVELOPE, FACTS, META
    from witness.core.i18n import in_language
    from witness.letters.content import compose
    from witness.letters.layout import render_letter
    from witness.letters.models import Letter

    with app.app_context(), in_language("th"):
        pdf = render_letter(compose("verdict", FACTS), ENVELOPE, META).pdf
    db.add(
        Letter(
            organisation_id=world.office.id,
            witness_id=world.assigned.id,
            kind="verdict",
            language="th",
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
    )
    db.flush()
    asked = _request(db, world)
    doc = json.loads(
        services.export_data(db, world.officer, world.assigned, asked, "json", frozen_clock.now())
    )
    words = pdf_read.squeezed(doc["letters"][0]["text"])
    assert pdf_read.squeezed("คำพิพากษาในคดีของคุณ") in words
    assert pdf_read.squeezed("เรื่องนี้มีความหมายต่อคุณอย่างไร") in words
