"""The figures behind the dashboard's charts, each one grouped query over the last twelve months
of what the user may see: the share of victims told in time per month (notification tasks'
deadlines against when they were told), risk levels over time (assessments completed per month
by level), and the support given per phase (the ledger, per currency: never added across
currencies). Months are the office's, in its courts' timezone."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from witness.auth.models import User
from witness.core.access import visible_witnesses
from witness.core.access_after import visible_tasks
from witness.core.access_risk import risk_witnesses
from witness.core.charts import Chart, Series
from witness.core.i18n import gettext as _
from witness.core.time import day_bounds
from witness.ledger.models import SupportItem
from witness.ledger.totals import summed_totals
from witness.notify.compliance import add_months, counts_by_month, months_between
from witness.people.models import Phase, Witness
from witness.risk.chart import COLOURS as LEVEL_COLOURS
from witness.risk.instrument import RiskLevel
from witness.risk.models import AssessmentStatus, RiskAssessment

MONTHS = 12
#: low at the bottom of each stack
LEVELS = (RiskLevel.low, RiskLevel.medium, RiskLevel.high, RiskLevel.critical)


def last_months(today: date) -> list[date]:
    """The first days of the twelve months up to ``today``'s."""
    this = today.replace(day=1)
    return months_between(add_months(this, 1 - MONTHS), this)


def _month_label(month: date) -> str:
    return month.strftime("%b %y")


def told_in_time(session: Session, actor: User, months: list[date]) -> Chart:
    """Per month, the share of tasks due that month that were told by their deadline
    (cancelled ones left out), of the tasks ``actor`` may see."""
    counts = counts_by_month(session, visible_tasks(actor), months[0], months[-1])
    shares = []
    for month in months:
        share = counts[month].share_in_time if month in counts else None
        shares.append(None if share is None else round(share * 100, 1))
    return Chart(
        id="chart-told",
        title=_("Share of victims told in time, per month"),
        description=_(
            "Of the notifications due each month, the share told by the deadline; "
            "a month with nothing due has no point. The table gives every figure."
        ),
        categories=tuple(_month_label(m) for m in months),
        series=(Series(_("Told in time"), tuple(shares), "#1f5f8b"),),
        kind="line",
        places=0,
        suffix="%",
        top=100,
    )


def _month_of(column, months: list[date], zone: str):
    """SQL: the index of the month ``column`` falls in (in ``zone``), NULL outside them."""
    bounds = [day_bounds(m, zone)[0] for m in [*months, add_months(months[-1], 1)]]
    return case(
        *[(and_(column >= bounds[n], column < bounds[n + 1]), n) for n in range(len(months))],
        else_=None,
    )


def risk_levels(session: Session, actor: User, months: list[date], zone: str) -> Chart:
    """Per month, the assessments completed at each level, of the witnesses whose risk
    ``actor`` sees."""
    month = _month_of(RiskAssessment.completed_dt, months, zone).label("month")
    inner = (
        select(month, RiskAssessment.level.label("level"))
        .join(Witness, Witness.id == RiskAssessment.witness_id)
        .where(
            RiskAssessment.status == AssessmentStatus.completed,
            RiskAssessment.completed_dt >= day_bounds(months[0], zone)[0],
            risk_witnesses(actor),
        )
        .subquery()
    )
    found: dict[tuple[int, RiskLevel], int] = {}
    for n, level, count in session.execute(
        select(inner.c.month, inner.c.level, func.count())
        .where(inner.c.month.is_not(None), inner.c.level.is_not(None))
        .group_by(inner.c.month, inner.c.level)
    ):
        found[(int(n), level)] = count
    return Chart(
        id="chart-risk",
        title=_("Risk levels over time"),
        description=_(
            "Risk assessments completed each month, stacked by the level they found, "
            "low at the bottom. The table gives every figure."
        ),
        categories=tuple(_month_label(m) for m in months),
        series=tuple(
            Series(
                level.label,
                tuple(found.get((n, level), 0) for n in range(len(months))),
                LEVEL_COLOURS[level],
            )
            for level in LEVELS
        ),
        kind="stacked",
    )


def support_by_phase(session: Session, actor: User, months: list[date]) -> list[Chart]:
    """Per currency, the value of the support that counts given in each phase of the case
    since the first of the months, to the witnesses ``actor`` may see."""
    totals = summed_totals(
        session, visible_witnesses(actor), SupportItem.date_provided >= months[0]
    )
    by_currency: dict[str, dict[Phase, Decimal]] = defaultdict(dict)
    for (phase, currency), value in totals.by_phase.items():
        by_currency[currency][phase] = value
    return [
        _support_chart(currency, values, months[0])
        for currency, values in sorted(by_currency.items())
    ]


def _support_chart(currency: str, values: dict[Phase, Decimal], since: date) -> Chart:
    phases = [p for p in Phase if p is not Phase.closed or p in values]
    return Chart(
        id=f"chart-support-{currency.lower()}",
        title=_("Support given per phase, %(currency)s", currency=currency),
        description=_(
            "The value of the support that counts (approved where it needs "
            "approval) given since %(month)s, by the witness's phase when it was "
            "given, in %(currency)s. The table gives every figure.",
            month=since.strftime("%B %Y"),
            currency=currency,
        ),
        categories=tuple(p.label for p in phases),
        series=(Series(currency, tuple(values.get(p, Decimal(0)) for p in phases), "#1e7a46"),),
        places=2,
        suffix=currency,
    )
