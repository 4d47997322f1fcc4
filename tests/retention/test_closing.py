"""Closing a witness's file: every case closed, appointments ahead cancelled, the final notice on
the channel the witness allows (or none, and the file says why); reopening; legal holds."""

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.notify.models import MailStatus, OutboundEmail, StaffAlert
from witness.notify.preferences import record_preferences
from witness.people.models import Channel, ConsentKind, Phase
from witness.people.services import record_consent
from witness.retention import services
from witness.retention.models import FileClosure
from witness.scheduling.models import AppointmentStatus
from witness.scheduling.services import book_appointment

from ..factories import booking

EMAIL_FIRST = dict(channels=["email", "phone"], email="safe@example.org", phone="+44 7700 900111")


def _events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _notices(db, witness):
    """Mail to the witness that is not an invite: the final notice."""
    return db.scalars(
        select(OutboundEmail).where(
            OutboundEmail.witness_id == witness.id, OutboundEmail.appointment_id.is_(None)
        )
    ).all()


def test_closing_closes_every_case_cancels_what_is_ahead_and_emails_the_final_notice(
    db, world, send, smtp_server, frozen_clock
):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    appointment = book_appointment(db, world.officer, w, booking([world.officer]))
    closure = services.close_file(
        db, world.officer, w, "Case concluded, support ended", office_phone="+44 20 7946 0000"
    )
    [participation] = w.participations
    assert participation.phase is Phase.closed
    assert participation.transitions[-1].reason == "Case concluded, support ended"
    assert appointment.status is AppointmentStatus.cancelled
    assert appointment.status_reason == services.CANCEL_REASON
    assert closure.closed_by_id == world.officer.id and closure.notice_channel == "email"
    [notice] = _notices(db, w)
    assert closure.notice_email_id == notice.id and notice.to_address == "safe@example.org"
    assert send(smtp_server.config()).sent >= 1
    [message] = [m for m in smtp_server.messages if m["To"] == "safe@example.org"]
    body = message.get_content()
    assert "your file with us is now closed" in body
    assert "+44 20 7946 0000" in body and "court" not in body.lower()
    [event] = _events(db, "witness.file_close")
    assert event.detail["participations_closed"] == 1
    assert event.detail["appointments_cancelled"] == 1
    assert event.detail["notice_channel"] == "email"
    assert "Case concluded" not in str(event.detail)  # the reason stays on the file


def test_a_witness_who_opted_out_gets_no_final_notice_and_the_file_says_why(db, world):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST, news_wanted="nothing")
    closure = services.close_file(db, world.officer, w, "Support ended")
    assert closure.notice_channel == "" and closure.notice_email_id is None
    assert "opted out" in closure.no_notice_reason
    assert _notices(db, w) == []


def test_no_consented_channel_means_no_final_notice(db, world):
    closure = services.close_file(db, world.officer, world.assigned, "Support ended")
    assert closure.no_notice_reason == "No channel is consented to: no final notice."
    assert _notices(db, world.assigned) == []


def test_consent_withdrawn_after_closing_stops_the_notice_at_handover(
    db, world, send, smtp_server, frozen_clock
):
    w = world.assigned
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    services.close_file(db, world.officer, w, "Support ended")
    record_consent(db, world.officer, w, ConsentKind.notify, False, channel=Channel.email)
    send(smtp_server.config())
    assert smtp_server.messages == []
    [notice] = _notices(db, w)
    assert notice.status is MailStatus.withheld


def test_opting_out_after_closing_stops_the_notice_at_handover(
    db, world, send, smtp_server, frozen_clock
):
    """The notice is news about the witness's own file: at hand-over it is asked the rule for
    news (preferences included), not only consent and the address on file."""
    w = world.assigned
    w.email = "safe@example.org"  # the file's address is the safe one: only the opt-out stops it
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    services.close_file(db, world.officer, w, "Support ended")
    record_preferences(db, world.officer, w, **EMAIL_FIRST, news_wanted="nothing")
    send(smtp_server.config())
    assert smtp_server.messages == []
    [notice] = _notices(db, w)
    assert notice.status is MailStatus.withheld and notice.withheld_reason.value == "opted_out"


def test_a_notice_by_phone_alerts_the_officer_to_give_it(db, world):
    w = world.assigned
    record_preferences(db, world.officer, w, channels=["phone"], phone="+44 7700 900111")
    closure = services.close_file(db, world.officer, w, "Support ended")
    assert closure.notice_channel == "phone" and _notices(db, w) == []
    [alert] = db.scalars(select(StaffAlert).where(StaffAlert.witness_id == w.id)).all()
    assert alert.user_id == world.officer.id and "final notice" in alert.message


def test_reopening_returns_each_case_to_the_phase_it_was_closed_from(
    db, world, make_witness, send, smtp_server, frozen_clock
):
    w = make_witness(case=world.case, officer=world.officer, phase=Phase.trial)
    record_preferences(db, world.officer, w, **EMAIL_FIRST)
    services.close_file(db, world.officer, w, "Support ended")
    closure = services.reopen_file(db, world.officer, w, "Appeal lodged; support resumes")
    send(smtp_server.config())
    assert smtp_server.messages == []  # the notice of closing no longer goes
    assert _notices(db, w)[0].status is MailStatus.withheld
    assert w.participations[0].phase is Phase.trial
    assert closure.reopened_by_id == world.officer.id and services.current_closure(db, w.id) is None
    [event] = _events(db, "witness.file_reopen")
    assert event.detail == {"participations_reopened": 1}


@pytest.mark.parametrize("reason", ["", "   "])
def test_closing_without_a_reason_is_refused_and_changes_nothing(db, world, reason):
    with pytest.raises(DomainError, match="Give a reason for closing the file"):
        services.close_file(db, world.officer, world.assigned, reason)
    assert world.assigned.participations[0].phase is not Phase.closed
    assert db.scalar(select(func.count(FileClosure.id))) == 0


def test_closing_twice_and_reopening_an_open_file_are_refused(db, world):
    services.close_file(db, world.officer, world.assigned, "Support ended")
    with pytest.raises(DomainError, match="already closed"):
        services.close_file(db, world.officer, world.assigned, "Again")
    services.reopen_file(db, world.officer, world.assigned, "Mistake")
    with pytest.raises(DomainError, match="not closed"):
        services.reopen_file(db, world.officer, world.assigned, "Again")


def test_only_the_office_closes_and_only_its_supervisors_hold(db, world):
    with pytest.raises(AccessDenied):
        services.close_file(db, world.foreign_admin, world.assigned, "Not mine")
    with pytest.raises(AccessDenied):
        services.close_file(db, world.ngo_worker, world.shared, "Not mine")
    with pytest.raises(AccessDenied):
        services.place_hold(db, world.officer, world.assigned, "Appeal pending")
    with pytest.raises(AccessDenied):
        services.place_hold(db, world.foreign_admin, world.assigned, "Appeal pending")


def test_a_legal_hold_is_placed_and_lifted_with_reasons_and_audited(db, world):
    w = world.assigned
    with pytest.raises(DomainError, match="Give a reason for the legal hold"):
        services.place_hold(db, world.supervisor, w, " ")
    hold = services.place_hold(db, world.supervisor, w, "Civil claim pending")
    with pytest.raises(DomainError, match="already on legal hold"):
        services.place_hold(db, world.supervisor, w, "Again")
    assert services.active_hold(db, w.id) is hold
    services.lift_hold(db, world.supervisor, w, "Claim settled")
    assert hold.lifted_by_id == world.supervisor.id and services.active_hold(db, w.id) is None
    with pytest.raises(DomainError, match="not on legal hold"):
        services.lift_hold(db, world.supervisor, w, "Again")
    assert len(_events(db, "witness.legal_hold_place")) == 1
    assert len(_events(db, "witness.legal_hold_lift")) == 1
