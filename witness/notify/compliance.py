"""The compliance report: per month and office, the tasks due that month — told in time, told
late, not yet told, cancelled — and the share told in time, for witnesses with enhanced rights
and for the others. Counted by the database (one grouped query), drawn as an inline SVG chart
beside its table, and downloadable as CSV.

A task belongs to the month of its last day in the court's own calendar: ``due_dt`` is the
midnight that ends that day, so a task is in month M when ``start(M) < due_dt <= start(M+1)``,
each bound taken in the court's timezone. Courts of every zone are counted in the one query by
a CASE over (timezone, month) bounds."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from witness.auth.models import Organisation, User
from witness.cases.models import Case, Court
from witness.core.access import require
from witness.core.access_after import can_read_compliance
from witness.core.charts import Chart, Series
from witness.core.i18n import format_when, gettext, reader
from witness.core.time import day_bounds
from witness.ledger.disclosure_csv import neutralise
from witness.notify.models import NotificationTask, TaskStatus
from witness.people.models import Witness

#: the longest span one report covers
MAX_MONTHS = 36


def add_months(month: date, n: int) -> date:
    """The first of the month ``n`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s to ``last``'s, inclusive."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class Counts:
    """Tasks due in a month, by what became of them."""

    in_time: int = 0
    late: int = 0
    not_told: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.in_time + self.late + self.not_told + self.cancelled

    @property
    def share_in_time(self) -> float | None:
        """Told in time among the tasks still needed (cancelled ones are left out)."""
        needed = self.in_time + self.late + self.not_told
        return self.in_time / needed if needed else None

    def add(self, other: Counts) -> None:
        self.in_time += other.in_time
        self.late += other.late
        self.not_told += other.not_told
        self.cancelled += other.cancelled


@dataclass
class MonthRow:
    """One month of one office: enhanced rights, standard, and both together."""

    month: date
    office: str
    enhanced: Counts = field(default_factory=Counts)
    standard: Counts = field(default_factory=Counts)

    @property
    def all(self) -> Counts:
        both = Counts()
        both.add(self.enhanced)
        both.add(self.standard)
        return both

    @property
    def label(self) -> str:
        return format_when(self.month, "%b %Y", reader())


def _month_of(months: list[date], zones: list[str]):
    """SQL: the month (as "YYYY-MM") a task is due in, in its court's calendar; NULL outside
    the report's months."""
    whens = []
    for zone in zones:
        for month in months:
            low = day_bounds(month, zone)[0]
            high = day_bounds(add_months(month, 1), zone)[0]
            whens.append(
                (
                    and_(
                        Court.timezone == zone,
                        NotificationTask.due_dt > low,
                        NotificationTask.due_dt <= high,
                    ),
                    month.strftime("%Y-%m"),
                )
            )
    return case(*whens, else_=None)


def _by_month(session: Session, condition, first: date, last: date, *groups):
    """The tasks matching ``condition`` (on the task, its ``Witness`` and the witness's
    ``Organisation``) due in each month from ``first``'s to ``last``'s, grouped by month and
    ``groups``: rows of (month's first day, *groups, told in time, told late, not told,
    cancelled). One grouped query over the months' tasks."""
    months = months_between(first, last)
    zones = sorted(session.scalars(select(Court.timezone).distinct()))
    if not months or not zones:
        return []
    # the widest bounds any zone gives, so the index on due_dt can narrow the rows first
    low = min(day_bounds(months[0], z)[0] for z in zones)
    high = max(day_bounds(add_months(months[-1], 1), z)[0] for z in zones)
    inner = (
        select(
            _month_of(months, zones).label("month"),
            *(g.label(f"group_{n}") for n, g in enumerate(groups)),
            NotificationTask.status.label("status"),
            case((NotificationTask.done_dt <= NotificationTask.due_dt, 1), else_=0).label(
                "on_time"
            ),
        )
        .join(Witness, Witness.id == NotificationTask.witness_id)
        .join(Organisation, Organisation.id == Witness.organisation_id)
        .join(Case, Case.id == NotificationTask.case_id)
        .join(Court, Court.id == Case.court_id)
        .where(condition, NotificationTask.due_dt > low, NotificationTask.due_dt <= high)
        .subquery()
    )
    done = inner.c.status == TaskStatus.done
    by = [inner.c.month, *(inner.c[f"group_{n}"] for n in range(len(groups)))]
    rows = session.execute(
        select(
            *by,
            func.sum(case((and_(done, inner.c.on_time == 1), 1), else_=0)),
            func.sum(case((and_(done, inner.c.on_time == 0), 1), else_=0)),
            func.sum(case((inner.c.status == TaskStatus.open, 1), else_=0)),
            func.sum(case((inner.c.status == TaskStatus.cancelled, 1), else_=0)),
        )
        .where(inner.c.month.is_not(None))
        .group_by(*by)
    )
    return [
        (date(int(month[:4]), int(month[5:7]), 1), *rest[: len(groups)],
         Counts(*(int(n) for n in rest[len(groups) :])))
        for month, *rest in rows
    ]  # fmt: skip


def compliance_report(session: Session, actor: User, first: date, last: date) -> list[MonthRow]:
    """The report of ``actor``'s office for the months from ``first``'s to ``last``'s (the
    office holding the witness's file); supervisors, administrators and prosecutors only
    (``AccessDenied``). One grouped query over the months' tasks."""
    require(can_read_compliance(actor), "Only supervisors and prosecutors see this report.")
    rows = _by_month(
        session,
        Witness.organisation_id == actor.organisation_id,
        first,
        last,
        Organisation.name,
        NotificationTask.enhanced,
    )
    table: dict[tuple[date, str], MonthRow] = {}
    for month, office, enhanced, counts in rows:
        row = table.setdefault((month, office), MonthRow(month, office))
        (row.enhanced if enhanced else row.standard).add(counts)
    return [table[key] for key in sorted(table)]


def counts_by_month(session: Session, condition, first: date, last: date) -> dict[date, Counts]:
    """The tasks matching ``condition`` due in each month from ``first``'s to ``last``'s, by what
    became of them, all rights together: the dashboard's chart of the share told in time."""
    return {month: counts for month, counts in _by_month(session, condition, first, last)}


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


# --- the chart and the CSV (pure: plain rows in, text out) -----------------------------------


def compliance_chart(rows: list[MonthRow]) -> Chart:
    """The share told in time per month and office as a bar chart (``core.charts``): one bar
    for victims with enhanced rights, one for the others; the table beside it carries every
    figure."""

    def shares(counts_of) -> tuple[float | None, ...]:
        return tuple(
            None if (share := counts_of(row).share_in_time) is None else round(share * 100)
            for row in rows
        )

    return Chart(
        id="chart",
        title=gettext("Share of victims told in time, per month"),
        description=gettext(
            "For each month, the left bar is victims with enhanced rights, the right bar "
            "the others; the table gives every figure."
        ),
        categories=tuple(f"{row.label}, {row.office}" for row in rows),
        series=(
            Series(gettext("enhanced rights"), shares(lambda r: r.enhanced), "#1f5f8b"),
            Series(gettext("others"), shares(lambda r: r.standard), "#8fb8d8"),
        ),
        suffix="%",
        top=100,
    )


CSV_HEADER = (
    "month",
    "office",
    "rights",
    "due",
    "told_in_time",
    "told_late",
    "not_yet_told",
    "cancelled",
    "share_told_in_time",
)


def compliance_csv(rows: list[MonthRow]) -> str:
    """The report as CSV, one line per month, office and rights; every text cell neutralised
    against formula injection (an office's name is typed by people)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        for group, counts in (("enhanced", row.enhanced), ("standard", row.standard)):
            share = counts.share_in_time
            writer.writerow(
                (
                    row.month.strftime("%Y-%m"),
                    neutralise(row.office),
                    group,
                    counts.total,
                    counts.in_time,
                    counts.late,
                    counts.not_told,
                    counts.cancelled,
                    "" if share is None else f"{share:.3f}",
                )
            )
    return out.getvalue()
