"""Court rooms: the courts, a court's rooms, adding and changing them, withdrawing one from use
for a period (on the court's clock), and a room's day of bookings."""

from __future__ import annotations

from datetime import time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from witness.core import access
from witness.core.i18n import gettext, weekday_names
from witness.core.time import day_bounds, format_span, now_utc, today_in
from witness.core.web import date_arg, form_page, form_transaction, load_or_404
from witness.db import db_session
from witness.rooms import bp, queries, services
from witness.rooms.forms import ResourceForm, WithdrawalForm
from witness.rooms.models import Resource
from witness.scheduling.queries import active_bookings_of_room, room_bookings


def _weekday_names(days: str) -> str:
    """The days a room opens ("1235"), named in the reader's language."""
    names = weekday_names()
    return ", ".join(names[int(d) - 1] for d in days)


def _require_room_manager() -> None:
    """Only supervisors and administrators change rooms: anyone else is answered 403
    (audited by the error handler as ``page.refused``)."""
    if not access.can_manage_rooms(current_user):
        abort(403)


def _room(resource_id: int) -> Resource:
    return load_or_404(queries.find_resource, resource_id)


def _to_court(resource: Resource):
    return redirect(url_for("rooms.resources", court_id=resource.court_id))


@bp.route("/resources")
def courts():
    """The courts, each with a link to its rooms."""
    return render_template("rooms/courts.html", courts=queries.courts(db_session()))


@bp.route("/courts/<int:court_id>/resources")
def resources(court_id: int):
    """A court's rooms, with the withdrawals that have not ended yet."""
    court = load_or_404(queries.find_court, court_id)
    db = db_session()
    listed = services.resources_of_court(db, court.id)
    return render_template(
        "rooms/resources.html",
        court=court,
        resources=listed,
        upcoming=queries.coming_withdrawals(db, listed),
        can_manage=access.can_manage_rooms(current_user),
        weekday_names=_weekday_names,
    )


@bp.route("/courts/<int:court_id>/resources/new", methods=["GET", "POST"])
def new(court_id: int):
    """Add a room or remote site to the court."""
    _require_room_manager()
    court = load_or_404(queries.find_court, court_id)
    form = ResourceForm()
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = time(8, 0), time(18, 0)
        form.open_weekdays.data = list("12345")
    if form.validate_on_submit():
        with form_transaction(form, refusal="resource.create_refused", obj=court):
            resource = services.create_resource(
                db_session(), current_user, court_id=court.id, **form.values()
            )
        if form.succeeded:
            flash(gettext("%(name)s added to %(name2)s.", name=resource.name, name2=court.name))
            return _to_court(resource)
    return form_page("rooms/form.html", form=form, court=court, resource=None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
def edit(resource_id: int):
    """Change a room's name, location, hours, or whether it is in use."""
    _require_room_manager()
    resource = _room(resource_id)
    form = ResourceForm(obj=resource)
    if request.method == "GET":
        form.open_weekdays.data = list(resource.open_weekdays)
    if form.validate_on_submit():
        with form_transaction(form, refusal="resource.change_refused", obj=resource):
            changed = services.update_resource(
                db_session(),
                current_user,
                resource,
                **form.values(),
                is_active=form.is_active.data,
            )
        if form.succeeded:
            flash(f"{resource.name} saved." if changed else "Nothing changed.")
            return _to_court(resource)
    return form_page("rooms/form.html", form=form, court=resource.court, resource=resource)


@bp.route("/resources/<int:resource_id>/withdraw", methods=["GET", "POST"])
def withdraw(resource_id: int):
    """Take a room out of use for a period given in its court's local time."""
    _require_room_manager()
    resource = _room(resource_id)
    form = WithdrawalForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="resource.change_refused", obj=resource):
            db = db_session()
            withdrawal = services.withdraw_resource_local(
                db,
                current_user,
                resource,
                (form.start_date.data, form.start_time.data),
                (form.end_date.data, form.end_time.data),
                form.reason.data,
            )
            affected = active_bookings_of_room(
                db, resource.id, withdrawal.start_dt, withdrawal.end_dt
            )
        if form.succeeded:
            flash(gettext("%(name)s withdrawn from use.", name=resource.name))
            if affected:
                flash(
                    gettext(
                        "%(len)s booking(s) of %(name)s fall in that period and must be moved: "
                        "see the room's day.",
                        len=len(affected),
                        name=resource.name,
                    ),
                    "warning",
                )
            return _to_court(resource)
    withdrawals = [w for w in resource.withdrawals if w.end_dt > now_utc()]
    return form_page(
        "rooms/withdraw.html",
        form=form,
        resource=resource,
        tz=resource.court.timezone,
        withdrawals=withdrawals,
    )


@bp.route("/resources/<int:resource_id>/day")
def day(resource_id: int):
    """A room's bookings on one day in its court's time, with any withdrawal that day. A
    booking of a witness the user may not see shows only that the room is booked then."""
    resource = _room(resource_id)
    tz = resource.court.timezone
    shown = date_arg("date") or today_in(tz)
    start, end = day_bounds(shown, tz)
    db = db_session()
    booked = room_bookings(db, current_user, resource.id, start, end)
    withdrawals = queries.withdrawals_between(db, resource, start, end)

    def withdrawn(a) -> bool:
        return any(w.start_dt < a.end_dt and w.end_dt > a.start_dt for w in withdrawals)

    def day_url(offset: int) -> str:
        when = (shown + timedelta(days=offset)).isoformat()
        return url_for("rooms.day", resource_id=resource.id, date=when)

    return render_template(
        "rooms/day.html",
        resource=resource,
        day=shown,
        tz=tz,
        span=lambda a: format_span(a.start_dt, a.end_dt, tz, with_date=False),
        bookings=booked.bookings,
        visible=booked.visible,
        withdrawals=withdrawals,
        withdrawn=withdrawn,
        show_location=access.can_see_site(
            current_user, resource, attends_there=bool(booked.attending)
        ),
        open_today=str(shown.isoweekday()) in resource.open_weekdays,
        open_days=_weekday_names(resource.open_weekdays),
        prev_url=day_url(-1),
        next_url=day_url(1),
    )
