"""Invite downloads, calendar feeds pages, and the public feed URL a calendar program fetches."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from witness.audit.services import record_event
from witness.calendar import feeds as feed_services
from witness.calendar.ics import render_appointment, view_of
from witness.calendar.invites import attachment_name, identity_from_config
from witness.core.access import (
    can_manage_appointment,
    can_manage_witness,
    can_see_place,
    get_appointment,
    get_witness,
)
from witness.core.errors import DomainError, NotFound
from witness.core.web import refuse
from witness.db import db_session
from witness.people.models import Witness
from witness.scheduling.models import Appointment

bp = Blueprint("calendar", __name__)


class FeedForm(FlaskForm):
    """Creating a feed asks nothing: the form carries only its CSRF token."""


# --- invite downloads --------------------------------------------------------------------------


def _load_appointment(appointment_id: int) -> Appointment:
    db = db_session()
    try:
        return get_appointment(db, current_user, appointment_id)
    except NotFound:
        db.commit()  # keep the audited refusal
        abort(404)


def _download(appointment_id: int, audience: str) -> Response:
    appointment = _load_appointment(appointment_id)
    db = db_session()
    if audience == "witness" and not can_manage_appointment(current_user, appointment):
        # The witness's copy is handed over by their office; others who see the appointment
        # (staff of a partner NGO) have no business with it.
        record_event(
            db,
            current_user,
            "appointment.invite_refused",
            appointment,
            witness_id=appointment.witness_id,
            copy=audience,
        )
        db.commit()
        abort(404)
    view = view_of(appointment)
    body = render_appointment(
        view,
        audience=audience,
        identity=identity_from_config(),
        show_location=can_see_place(current_user, appointment),
    )
    record_event(
        db,
        current_user,
        "appointment.invite_download",
        appointment,
        witness_id=appointment.witness_id,
        copy=audience,
    )
    db.commit()
    method = "CANCEL" if view.is_cancelled else "REQUEST"
    response = Response(body, content_type=f"text/calendar; charset=utf-8; method={method}")
    response.headers["Content-Disposition"] = f'attachment; filename="{attachment_name(view)}"'
    return response


@bp.route("/appointments/<int:appointment_id>/invite.ics")
def invite(appointment_id: int):
    """The staff copy of an appointment's invitation (full detail)."""
    return _download(appointment_id, "staff")


@bp.route("/appointments/<int:appointment_id>/invite-witness.ics")
def invite_witness(appointment_id: int):
    """The witness's copy (discreet unless they chose full detail), for staff to hand over."""
    return _download(appointment_id, "witness")


# --- feeds pages -------------------------------------------------------------------------------


def feed_urls(plaintext: str) -> dict[str, str]:
    """The subscription URL, and its webcal:// form that opens a calendar program."""
    url = url_for("calendar.feed", token=plaintext, _external=True)
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@bp.route("/account/feeds", methods=["GET", "POST"])
def feeds():
    """The user's own calendar feeds; a new feed's URL is shown on this one response only."""
    form = FeedForm()
    db = db_session()
    created = None
    if form.validate_on_submit():
        try:
            feed, plaintext = feed_services.create_staff_feed(db, current_user)
        except DomainError as exc:
            db.rollback()
            flash(exc.message, "error")
        else:
            db.commit()
            created = (feed, feed_urls(plaintext))
    return render_template(
        "calendar/feeds.html",
        form=FeedForm(formdata=None),
        feeds=feed_services.user_feeds(db, current_user),
        created=created,
    )


@bp.route("/account/feeds/<int:feed_id>/revoke", methods=["POST"])
def revoke(feed_id: int):
    db = db_session()
    try:
        feed_services.revoke_staff_feed(db, current_user, feed_id)
    except NotFound:
        # Another user's feed, or none: the same answer, and the attempt is audited.
        refuse("calendar_feed.revoke_refused", object_type="calendar_feed", object_id=feed_id)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash("Feed revoked: calendars subscribed to it get nothing more from now on.")
    return redirect(url_for("calendar.feeds"))


def _load_managed_witness(witness_id: int) -> Witness:
    """A witness whose feeds the user may manage (their office); otherwise an audited 404."""
    db = db_session()
    try:
        witness = get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()
        abort(404)
    if not can_manage_witness(current_user, witness):
        record_event(db, current_user, "witness.change_refused", witness, witness_id=witness.id)
        db.commit()
        abort(404)
    return witness


@bp.route("/witnesses/<int:witness_id>/feeds", methods=["GET", "POST"])
def witness_feeds(witness_id: int):
    """A witness's calendar feeds, for their office to set up on the witness's phone."""
    witness = _load_managed_witness(witness_id)
    form = FeedForm()
    db = db_session()
    created = None
    if form.validate_on_submit():
        try:
            feed, plaintext = feed_services.create_witness_feed(db, current_user, witness)
        except DomainError as exc:
            db.rollback()
            flash(exc.message, "error")
        else:
            db.commit()
            created = (feed, feed_urls(plaintext))
    return render_template(
        "calendar/witness_feeds.html",
        witness=witness,
        form=FeedForm(formdata=None),
        feeds=feed_services.witness_feeds(db, witness),
        created=created,
    )


@bp.route("/witnesses/<int:witness_id>/feeds/<int:feed_id>/revoke", methods=["POST"])
def revoke_witness_feed(witness_id: int, feed_id: int):
    witness = _load_managed_witness(witness_id)
    db = db_session()
    try:
        feed_services.revoke_witness_feed(db, current_user, witness, feed_id)
    except NotFound:
        refuse(
            "calendar_feed.revoke_refused",
            object_type="calendar_feed",
            object_id=feed_id,
            witness_id=witness.id,
        )
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash("Feed revoked: the witness's calendar gets nothing more from it.")
    return redirect(url_for("calendar.witness_feeds", witness_id=witness.id))


# --- the public feed -----------------------------------------------------------------------------


@bp.route("/feeds/<token>.ics")
def feed(token: str):
    """What a calendar program fetches: no sign-in, the secret URL is the key. An unknown or
    revoked token gets a bare 404 that tells nothing."""
    db = db_session()
    calendar_feed = feed_services.feed_for_token(db, token)
    if calendar_feed is None:
        return Response("Not found\n", status=404, mimetype="text/plain")
    body = feed_services.render_feed_for(db, calendar_feed, identity_from_config())
    db.commit()
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
