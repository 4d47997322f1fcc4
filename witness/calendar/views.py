"""Invite downloads, calendar feeds pages, and the public feed URL a calendar program fetches."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from witness.calendar import feeds as feed_services
from witness.calendar.forms import FeedForm
from witness.calendar.ics import render_appointment, view_of
from witness.calendar.invites import attachment_name, identity_from_config
from witness.core.access import can_manage_appointment, can_manage_witness, can_see_place
from witness.core.i18n import gettext
from witness.core.web import form_transaction, load_or_404, record_view, refuse
from witness.db import db_session
from witness.people.models import Witness
from witness.scheduling.models import Appointment

bp = Blueprint("calendar", __name__)


# --- invite downloads --------------------------------------------------------------------------


def _download(appointment_id: int, audience: str) -> Response:
    appointment = load_or_404(Appointment, appointment_id)
    if audience == "witness" and not can_manage_appointment(current_user, appointment):
        # The witness's copy is handed over by their office; others who see the appointment
        # (staff of a partner NGO) have no business with it.
        refuse(
            "appointment.invite_refused",
            appointment,
            witness_id=appointment.witness_id,
            copy=audience,
        )
    view = view_of(appointment)
    body = render_appointment(
        view,
        audience=audience,
        identity=identity_from_config(),
        show_location=can_see_place(current_user, appointment),
    )
    record_view(
        "appointment.invite_download",
        appointment,
        witness_id=appointment.witness_id,
        copy=audience,
    )
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
    created = None
    if form.validate_on_submit():
        with form_transaction() as outcome:  # a refusal (too many feeds) is flashed
            feed, plaintext = feed_services.create_staff_feed(db_session(), current_user)
        if outcome.succeeded:
            created = (feed, feed_urls(plaintext))
    return render_template(
        "calendar/feeds.html",
        form=FeedForm(formdata=None),
        feeds=feed_services.user_feeds(db_session(), current_user),
        created=created,
    )


@bp.route("/account/feeds/<int:feed_id>/revoke", methods=["POST"])
def revoke(feed_id: int):
    """Revoke one's own feed; another user's, or none, is an audited 404 (the service's)."""
    with form_transaction() as outcome:
        feed_services.revoke_staff_feed(db_session(), current_user, feed_id)
    if outcome.succeeded:
        flash(gettext("Feed revoked: calendars subscribed to it get nothing more from now on."))
    return redirect(url_for("calendar.feeds"))


def _managed_witness(witness_id: int) -> Witness:
    """A witness whose feeds the user may manage (their office); otherwise an audited 404."""
    return load_or_404(Witness, witness_id, can_manage_witness)


@bp.route("/witnesses/<int:witness_id>/feeds", methods=["GET", "POST"])
def witness_feeds(witness_id: int):
    """A witness's calendar feeds, for their office to set up on the witness's phone."""
    witness = _managed_witness(witness_id)
    form = FeedForm()
    created = None
    if form.validate_on_submit():
        with form_transaction(
            refusal="witness.change_refused", obj=witness, witness_id=witness.id
        ) as outcome:
            feed, plaintext = feed_services.create_witness_feed(db_session(), current_user, witness)
        if outcome.succeeded:
            created = (feed, feed_urls(plaintext))
    return render_template(
        "calendar/witness_feeds.html",
        witness=witness,
        form=FeedForm(formdata=None),
        feeds=feed_services.witness_feeds(db_session(), witness),
        created=created,
    )


@bp.route("/witnesses/<int:witness_id>/feeds/<int:feed_id>/revoke", methods=["POST"])
def revoke_witness_feed(witness_id: int, feed_id: int):
    """Revoke a witness's feed; another witness's is an audited 404 (the service's)."""
    witness = _managed_witness(witness_id)
    with form_transaction(
        refusal="witness.change_refused", obj=witness, witness_id=witness.id
    ) as outcome:
        feed_services.revoke_witness_feed(db_session(), current_user, witness, feed_id)
    if outcome.succeeded:
        flash(gettext("Feed revoked: the witness's calendar gets nothing more from it."))
    return redirect(url_for("calendar.witness_feeds", witness_id=witness.id))


# --- the public feed -----------------------------------------------------------------------------


@bp.route("/feeds/<token>.ics")
def feed(token: str):
    """What a calendar program fetches: no sign-in, the secret URL is the key. An unknown or
    revoked token gets a bare 404 that tells nothing."""
    calendar_feed = feed_services.feed_for_token(db_session(), token)
    if calendar_feed is None:
        return Response("Not found\n", status=404, mimetype="text/plain")
    # the fetch is audited and noted on the feed: kept, as any change a page makes
    with form_transaction():
        body = feed_services.render_feed_for(db_session(), calendar_feed, identity_from_config())
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
