"""To tell: the officer's due list of notification tasks, a task's page (record telling the
witness in person or through their NGO; a supervisor cancels), and the compliance report."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from witness.core import access_after
from witness.core.charts import drawn
from witness.core.errors import AccessDenied
from witness.core.i18n import gettext
from witness.core.time import now_utc, today_in
from witness.core.web import (
    Page,
    bad_request,
    csv_download,
    form_transaction,
    load_or_404,
    page_arg,
    record_view,
)
from witness.db import db_session
from witness.notify import compliance, task_queries
from witness.notify.models import NotificationTask, TaskStatus
from witness.notify.queries import office_timezone
from witness.notify.task_forms import AttemptForm, CancelTaskForm
from witness.notify.task_services import cancel_task, record_task_attempt
from witness.outcomes.models import EventKind
from witness.people.models import Channel

bp = Blueprint("notify_tasks", __name__, url_prefix="/tasks")

CHANNEL_FILTERS = [c.value for c in Channel] + [task_queries.NO_CHANNEL_LEFT]


@bp.app_context_processor
def _alert_count() -> dict:
    """The signed-in user's unseen alerts, counted for the nav on every page."""
    if not current_user.is_authenticated:
        return {}
    return {"unseen_alert_count": task_queries.unseen_alert_count(db_session(), current_user)}


def _choice(name: str, allowed) -> str:
    """A query-string value that must be one of ``allowed`` (or absent): else a 400 page."""
    value = request.args.get(name, "")
    if value and value not in allowed:
        abort(make_response(bad_request(f"Unknown value for {name}: choose one from the list.")))
    return value


def _filters() -> task_queries.DueFilters:
    scope = _choice("scope", [s.value for s in task_queries.Scope])
    overdue = _choice("overdue", ["1"])
    kind = _choice("kind", [k.value for k in EventKind])
    return task_queries.DueFilters(
        scope=task_queries.Scope(scope),
        overdue=overdue == "1",
        kind=EventKind(kind) if kind else None,
        channel=_choice("channel", CHANNEL_FILTERS),
    )


@bp.route("")
def index():
    """The open tasks the user may see, soonest deadline first."""
    filters = _filters()
    now = now_utc()
    session = db_session()
    query = task_queries.due_list(current_user, now, filters)
    page = Page(session, query, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "notify/tasks/index.html",
        page=page,
        rows=task_queries.due_rows(session, page.items, now),
        filters=filters,
        scopes=list(task_queries.Scope),
        kinds=list(EventKind),
        channels=list(Channel),
        no_channel=task_queries.NO_CHANNEL_LEFT,
        reminder_label=task_queries.reminder_label,
    )


def _call_url(task: NotificationTask) -> str:
    """The call list's page for the task (the channels part), or its plain path until then."""
    if "notify_calls.call" in current_app.view_functions:
        return url_for("notify_calls.call", task_id=task.id)
    return f"/calls/{task.id}"


def _task_page(task: NotificationTask, **forms):
    session = db_session()
    context = task_queries.task_context(session, task, now_utc())
    is_open = task.status is TaskStatus.open
    may_record = is_open and any(
        access_after.can_record_task_attempt(current_user, task, c)
        for c in (Channel.in_person, Channel.via_ngo)
    )
    may_cancel = is_open and access_after.can_cancel_task(current_user, task)
    form = forms.get("form") or AttemptForm(formdata=None)
    cancel_form = forms.get("cancel_form") or CancelTaskForm(formdata=None)
    failed = request.method == "POST" and bool(form.errors or cancel_form.errors)
    page = render_template(
        "notify/tasks/task.html",
        task=task,
        form=form,
        cancel_form=cancel_form,
        may_record=may_record,
        may_cancel=may_cancel,
        may_print=current_user.role in access_after.PRINT_ROLES,
        call_url=_call_url(task),
        **context,
    )
    return page, 400 if failed else 200


@bp.route("/<int:task_id>")
def task(task_id: int):
    """One task: the event, the deadline, enhanced rights and why, every attempt."""
    task = load_or_404(NotificationTask, task_id)
    record_view("notification_task.view", task, witness_id=task.witness_id)
    return _task_page(task)


@bp.route("/<int:task_id>/attempt", methods=["POST"])
def attempt(task_id: int):
    """Record telling the witness in person or through their NGO (or failing to)."""
    task = load_or_404(NotificationTask, task_id)
    form = AttemptForm()
    if form.validate_on_submit():
        with form_transaction(form, obj=task, witness_id=task.witness_id):
            record_task_attempt(db_session(), current_user, task, **form.values())
        if form.succeeded:
            flash(gettext("Recorded."))
            return redirect(url_for("notify_tasks.task", task_id=task.id))
    return _task_page(task, form=form)


@bp.route("/<int:task_id>/cancel", methods=["POST"])
def cancel(task_id: int):
    """A supervisor cancels a task, with the reason."""
    task = load_or_404(NotificationTask, task_id, access_after.can_cancel_task)
    form = CancelTaskForm()
    if form.validate_on_submit():
        with form_transaction(form, obj=task, witness_id=task.witness_id):
            cancel_task(db_session(), current_user, task, form.reason.data)
        if form.succeeded:
            flash(gettext("Task cancelled."))
            return redirect(url_for("notify_tasks.task", task_id=task.id))
    return _task_page(task, cancel_form=form)


# --- the compliance report -----------------------------------------------------------------------


def _month_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    parts = value.split("-")
    if (
        len(parts) == 2
        and len(parts[0]) == 4
        and len(parts[1]) == 2
        and all(p.isascii() and p.isdigit() for p in parts)
        and 1900 <= int(parts[0]) <= 2100
        and 1 <= int(parts[1]) <= 12
    ):
        return date(int(parts[0]), int(parts[1]), 1)
    abort(make_response(bad_request("Give a month as YYYY-MM, for example 2026-03.")))


def _report_range() -> tuple[date, date]:
    """The months asked for (``from``, ``to``); by default the last twelve."""
    zone = office_timezone(db_session(), current_user.organisation_id)
    this_month = today_in(zone).replace(day=1)
    last = _month_arg("to") or this_month
    first = _month_arg("from") or compliance.add_months(last, -11)
    if first > last:
        abort(make_response(bad_request("The first month comes after the last.")))
    if len(compliance.months_between(first, last)) > compliance.MAX_MONTHS:
        abort(
            make_response(bad_request(f"Ask for at most {compliance.MAX_MONTHS} months at once."))
        )
    return first, last


def _report(first: date, last: date) -> list[compliance.MonthRow]:
    try:
        return compliance.compliance_report(db_session(), current_user, first, last)
    except AccessDenied:
        abort(404)  # audited by core.web's net under every refusal ("page.refused")


@bp.route("/compliance")
def compliance_page():
    """Per month and office: told in time, late, not yet, cancelled; a chart and a table."""
    if not access_after.can_read_compliance(current_user):
        abort(404)
    first, last = _report_range()
    rows = _report(first, last)
    return render_template(
        "notify/tasks/compliance.html",
        rows=rows,
        first=first,
        last=last,
        chart=drawn(compliance.compliance_chart(rows)),
        percent=compliance.percent,
    )


@bp.route("/compliance.csv")
def compliance_csv():
    """The same report as CSV."""
    if not access_after.can_read_compliance(current_user):
        abort(404)
    first, last = _report_range()
    body = compliance.compliance_csv(_report(first, last))
    name = f"compliance-{first:%Y-%m}-{last:%Y-%m}.csv"
    return csv_download(body, name)
