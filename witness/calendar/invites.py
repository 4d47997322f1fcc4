"""Invite e-mails for appointments (placeholder until the calendar feature lands)."""

from __future__ import annotations


def queue_invites(session, appointment, *, previous_staff_ids=()) -> list:
    return []
