"""Letters: a witness who wants news by post at a safe address, and reading PDFs back."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest

from witness.cases.models import CustodyStatus, Defendant
from witness.notify.models import ContactPreference
from witness.people.models import Channel, Consent, ConsentKind

SAFE_ADDRESS = "c/o Safe Harbour\n9 Quiet Road\nLeeds LS1 1AA"


def pdf_text(pdf: bytes, *args: str) -> str:
    """What ``pdftotext`` reads in ``pdf`` (``args``: a crop, ``-f``/``-l`` pages ...)."""
    done = subprocess.run(
        ["pdftotext", "-layout", *args, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def pdf_fonts(pdf: bytes) -> str:
    done = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def consent_post(db, witness, recorder, granted: bool = True) -> Consent:
    for old in db.query(Consent).filter_by(
        witness_id=witness.id, kind=ConsentKind.notify, channel=Channel.post
    ):
        old.is_current = False
    row = Consent(
        witness_id=witness.id,
        kind=ConsentKind.notify,
        channel=Channel.post,
        is_granted=granted,
        recorded_by_id=recorder.id,
    )
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def post(db, world, make_event, make_task):
    """``world.assigned`` wants news by post (then phone) at a safe address, in English; a
    defendant; ``post.task(kind=..., **event columns)`` makes an event and its task."""
    witness = world.assigned
    witness.legal_name = "Mai Tran"
    consent_post(db, witness, world.supervisor)
    preference = ContactPreference(
        witness_id=witness.id,
        channels=["post", "phone"],
        postal_name="Mai Tran",
        postal_address=SAFE_ADDRESS,
        language="en",
        recorded_by_id=world.officer.id,
    )
    db.add(preference)
    defendant = Defendant(
        case_id=world.case.id, name="John Smith", custody_status=CustodyStatus.serving_sentence
    )
    db.add(defendant)
    db.flush()

    def task(kind=None, reminder: str = "", **columns):
        from witness.outcomes.models import EventKind

        event = make_event(
            world.case, kind or EventKind.verdict, defendant_id=defendant.id, **columns
        )
        return make_task(witness, world.case, event, reminder=reminder)

    return SimpleNamespace(
        witness=witness, preference=preference, defendant=defendant, task=task, world=world
    )
