"""Helpers for the mail tests: an .ics to attach, a factory for outbox rows, a sender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar, Event

from witness.notify.mail import enqueue_email


def make_ics(method: str = "REQUEST", summary: str = "Appointment") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Witness tests//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", "test-uid@witness.test")
    event.add("summary", summary)
    event.add("dtstart", datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    event.add("dtend", datetime(2026, 3, 12, 11, 0, tzinfo=UTC))
    event.add("dtstamp", datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    event.add("sequence", 0)
    cal.add_component(event)
    return cal.to_ical()


@pytest.fixture
def make_mail(db, office):
    """``make_mail(**overrides)``: an outbox row of ``office``, due now."""

    def make(**kw):
        email = enqueue_email(
            db,
            organisation_id=kw.pop("organisation_id", office.id),
            to_address=kw.pop("to_address", "alex@example.org"),
            subject=kw.pop("subject", "Your appointment"),
            body=kw.pop("body", "See the attached invitation."),
            **kw,
        )
        db.flush()
        return email

    return make
