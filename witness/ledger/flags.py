"""Flags on the support ledger: possible abuse of support, or an inducement to testify.

Item rules (``raise_flags``, when an item is recorded) look at one entry; pattern rules
(``sweep_flags``, run on a schedule) look at a witness's support over time and against peers.
A flag is never raised twice while the same one (rule, witness, case, item) is open; a closed
flag about one item is not raised again, and a closed pattern flag is raised again only when
its figures have changed. Supervisors of the witness's office close flags, with a note.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, and_, case, column, func, select, values
from sqlalchemy.orm import Session, aliased

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Case, CaseOffence, Court, Hearing, HearingStatus, HearingType
from witness.core.access import require
from witness.core.errors import DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.ledger.models import FlagRule, LedgerFlag, SupportCategory, SupportItem
from witness.ledger.totals import Counted
from witness.people.models import Witness

#: support for taking part in the trial; given after the verdict it looks like a reward
TRIAL_CATEGORIES = frozenset(
    {
        SupportCategory.transport,
        SupportCategory.meals_subsistence,
        SupportCategory.witness_expenses,
        SupportCategory.interpreting,
    }
)
#: the hearings a witness testifies at
TESTIMONY_STATUSES = (HearingStatus.listed, HearingStatus.moved, HearingStatus.held)
WINDOW = timedelta(days=30)
RISE_FACTOR = Decimal(2)
PEER_FACTOR = Decimal(3)
MIN_PEERS = 5
REVIEWER_ROLES = frozenset({Role.supervisor, Role.admin})


def _money(value: Decimal, currency: str) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))} {currency}"


# --- raising ----------------------------------------------------------------------------------


def _existing(session: Session, rule: FlagRule, witness_id: int, case_id: int, item_id):
    query = select(LedgerFlag).where(
        LedgerFlag.rule == rule,
        LedgerFlag.witness_id == witness_id,
        LedgerFlag.case_id == case_id,
    )
    query = query.where(
        LedgerFlag.item_id.is_(None) if item_id is None else LedgerFlag.item_id == item_id
    )
    return list(session.scalars(query))


def _raise(
    session: Session,
    rule: FlagRule,
    *,
    witness_id: int,
    case_id: int,
    detail: str,
    item_id: int | None = None,
) -> LedgerFlag | None:
    """Add the flag unless the same one is open (or, for an item, was ever raised; for a
    pattern, was closed with the same figures)."""
    for flag in _existing(session, rule, witness_id, case_id, item_id):
        if flag.closed_dt is None or item_id is not None or flag.detail == detail:
            return None
    flag = LedgerFlag(
        rule=rule,
        witness_id=witness_id,
        case_id=case_id,
        item_id=item_id,
        detail=detail,
        raised_dt=now_utc(),
    )
    session.add(flag)
    session.flush()
    return flag


def _verdict_dates(session: Session, case_ids) -> dict[int, date]:
    """The verdict of each case, taken as the end (in the court's time) of its last held trial
    day, once no trial day is still listed after it."""
    verdicts: dict[int, date] = {}
    case_ids = sorted(set(case_ids))
    for chunk in _chunks(case_ids):
        last_held = (
            select(Hearing.case_id, func.max(Hearing.end_dt).label("last_end"))
            .where(
                Hearing.case_id.in_(chunk),
                Hearing.type == HearingType.trial_day,
                Hearing.status == HearingStatus.held,
            )
            .group_by(Hearing.case_id)
            .subquery()
        )
        still_listed = select(Hearing.id).where(
            Hearing.case_id == last_held.c.case_id,
            Hearing.type == HearingType.trial_day,
            Hearing.status.in_((HearingStatus.listed, HearingStatus.moved)),
            Hearing.start_dt > last_held.c.last_end,
        )
        rows = session.execute(
            select(last_held.c.case_id, last_held.c.last_end, Court.timezone)
            .join(Case, Case.id == last_held.c.case_id)
            .join(Court, Court.id == Case.court_id)
            .where(~still_listed.exists())  # the trial goes on
        )
        for case_id, last_end, tz in rows:
            verdicts[case_id] = last_end.astimezone(ZoneInfo(tz)).date()
    return verdicts


def _after_verdict(session: Session, item: SupportItem, verdict: date | None):
    if verdict is None or item.category not in TRIAL_CATEGORIES:
        return None
    if item.date_provided <= verdict:
        return None
    return _raise(
        session,
        FlagRule.after_verdict,
        witness_id=item.witness_id,
        case_id=item.case_id,
        item_id=item.id,
        detail=_after_verdict_detail(
            item.category, item.value, item.currency, item.date_provided, verdict
        ),
    )


def _after_verdict_detail(category, value, currency: str, given: date, verdict: date) -> str:
    return (
        f"{category.label} ({_money(value, currency)}) given on "
        f"{given.isoformat()}, after the verdict on {verdict.isoformat()}."
    )


def raise_flags(session: Session, item: SupportItem) -> list[LedgerFlag]:
    """The item rules, for an item just recorded; reversals raise nothing."""
    if item.reverses_id is not None:
        return []
    raised = []
    if item.is_cash:
        raised.append(
            _raise(
                session,
                FlagRule.cash,
                witness_id=item.witness_id,
                case_id=item.case_id,
                item_id=item.id,
                detail=(
                    f"{item.category.label} given as cash or cash-like: "
                    f"{_money(item.value, item.currency)}."
                ),
            )
        )
    if item.need_id is None:
        raised.append(
            _raise(
                session,
                FlagRule.no_linked_need,
                witness_id=item.witness_id,
                case_id=item.case_id,
                item_id=item.id,
                detail=f"{item.category.label} ({_money(item.value, item.currency)}) meets no "
                "assessed need.",
            )
        )
    if item.category in TRIAL_CATEGORIES:  # only those can be a reward for the verdict
        verdict = _verdict_dates(session, [item.case_id]).get(item.case_id)
        raised.append(_after_verdict(session, item, verdict))
    return [f for f in raised if f is not None]


# --- the sweep --------------------------------------------------------------------------------
#
# The ledger may hold millions of entries, so the sweep never loads it: the databases sum what
# counts per witness, case and currency (and per trial day's window), and only those figures and
# the candidate entries come back, a batch of cases at a time.

#: ids (or rows of a VALUES list) per query: well under every database's limit on parameters
BATCH = 500
PATTERN_RULES = (FlagRule.pre_testimony_rise, FlagRule.peer_outlier)


def _chunks(values, size: int = BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _counted(case_ids=None):
    """The entries that count (``totals.Counted``, the SQL form of ``totals.counts``), as
    a subquery of the columns the rules read."""
    rule = Counted()
    query = rule.joined(
        select(
            SupportItem.id,
            SupportItem.witness_id,
            SupportItem.case_id,
            SupportItem.currency,
            SupportItem.value,
            SupportItem.date_provided,
        )
    ).where(rule.condition)
    if case_ids is not None:
        query = query.where(SupportItem.case_id.in_(case_ids))
    return query.subquery("counted")


def _counted_totals(session: Session) -> dict[tuple[int, int, str], Decimal]:
    """What counts per (witness, case, currency), ordered by the first entry that counts (the
    order the rules consider them in, so which flag is raised first does not change)."""
    counted = _counted()
    rows = session.execute(
        select(
            counted.c.witness_id, counted.c.case_id, counted.c.currency, func.sum(counted.c.value)
        )
        .group_by(counted.c.witness_id, counted.c.case_id, counted.c.currency)
        .order_by(func.min(counted.c.id))
    )
    return {(w, c, cur): Decimal(total) for w, c, cur, total in rows}


def _raise_patterns(session: Session, candidates: list[tuple]) -> list[LedgerFlag]:
    """``_raise`` for pattern flags, in batch: (rule, witness, case, detail) in order; each is
    added unless the same flag is open, or was closed with the same figures."""
    known: dict[tuple, list[tuple[bool, str]]] = defaultdict(list)
    for chunk in _chunks(sorted({c[1] for c in candidates})):
        rows = session.execute(
            select(
                LedgerFlag.rule,
                LedgerFlag.witness_id,
                LedgerFlag.case_id,
                LedgerFlag.closed_dt,
                LedgerFlag.detail,
            ).where(
                LedgerFlag.rule.in_(PATTERN_RULES),
                LedgerFlag.item_id.is_(None),
                LedgerFlag.witness_id.in_(chunk),
            )
        )
        for rule, witness_id, case_id, closed_dt, detail in rows:
            known[(rule, witness_id, case_id)].append((closed_dt is None, detail))
    raised = []
    for rule, witness_id, case_id, detail in candidates:
        existing = known[(rule, witness_id, case_id)]
        if any(is_open or seen == detail for is_open, seen in existing):
            continue
        flag = LedgerFlag(
            rule=rule, witness_id=witness_id, case_id=case_id, detail=detail, raised_dt=now_utc()
        )
        session.add(flag)
        existing.append((True, detail))
        raised.append(flag)
    return raised


def _after_verdict_sweep(session: Session) -> list[LedgerFlag]:
    """Trial support that stands (not a reversal, not reversed) given after its case's verdict,
    not flagged before."""
    case_ids = session.scalars(select(SupportItem.case_id).distinct()).all()
    verdicts = sorted(_verdict_dates(session, case_ids).items())
    reversal = aliased(SupportItem)
    raised = []
    for chunk in _chunks(verdicts):
        days = (
            values(column("case_id", Integer), column("verdict", Date), name="verdicts")
            .data(chunk)
            .cte()
        )
        rows = session.execute(
            select(
                SupportItem.id,
                SupportItem.witness_id,
                SupportItem.case_id,
                SupportItem.category,
                SupportItem.value,
                SupportItem.currency,
                SupportItem.date_provided,
                days.c.verdict,
            )
            .join(days, days.c.case_id == SupportItem.case_id)
            .where(
                SupportItem.case_id.in_([case_id for case_id, _ in chunk]),
                SupportItem.date_provided > days.c.verdict,
                SupportItem.category.in_(TRIAL_CATEGORIES),
                # not "IS NULL": SQLite takes the unique index on it for a selective one
                func.coalesce(SupportItem.reverses_id, 0) == 0,
                ~select(reversal.id).where(reversal.reverses_id == SupportItem.id).exists(),
                ~select(LedgerFlag.id)
                .where(
                    LedgerFlag.rule == FlagRule.after_verdict,
                    LedgerFlag.item_id == SupportItem.id,
                )
                .exists(),
            )
            .order_by(SupportItem.id)
        ).all()
        for item_id, witness_id, case_id, category, value, currency, given, verdict in rows:
            flag = LedgerFlag(
                rule=FlagRule.after_verdict,
                witness_id=witness_id,
                case_id=case_id,
                item_id=item_id,
                detail=_after_verdict_detail(category, value, currency, given, verdict),
                raised_dt=now_utc(),
            )
            session.add(flag)
            raised.append(flag)
    raised.sort(key=lambda f: f.item_id)
    return raised


def _trial_days(session: Session, case_ids: list[int], today: date) -> list[tuple]:
    """(case, local date, window start) of the cases' trial days whose 30 days before have
    begun, each day once, in the order of the hearings."""
    rows = session.execute(
        select(Hearing.case_id, Hearing.start_dt, Court.timezone)
        .join(Case, Case.id == Hearing.case_id)
        .join(Court, Court.id == Case.court_id)
        .where(
            Hearing.case_id.in_(case_ids),
            Hearing.type == HearingType.trial_day,
            Hearing.status.in_(TESTIMONY_STATUSES),
        )
        .order_by(Hearing.start_dt, Hearing.id)
    )
    seen = {}
    for case_id, start_dt, tz in rows:
        day = start_dt.astimezone(ZoneInfo(tz)).date()  # the court's date, not UTC's
        if day - WINDOW <= today:
            seen.setdefault((case_id, day), day - WINDOW)
    return [(case_id, day, start) for (case_id, day), start in seen.items()]


def _days_between(session: Session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return later - earlier  # date - date is a number of days
    return func.julianday(later) - func.julianday(earlier)


def _window_sums(session: Session, trial_days: list[tuple]):
    """Per witness, case, currency and trial day: what counted in the 30 days before the day,
    what counted before that and since when. Only rows that may be a rise come back: the exact
    test (in Decimal) is the caller's; the one here only leaves out what cannot be."""
    days = (
        values(
            column("case_id", Integer),
            column("day", Date),
            column("window_start", Date),
            name="trial_days",
        )
        .data(trial_days)
        .cte()
    )
    counted = _counted(sorted({row[0] for row in trial_days}))
    earlier = counted.c.date_provided < days.c.window_start
    recent_cond = and_(
        counted.c.date_provided >= days.c.window_start, counted.c.date_provided < days.c.day
    )
    recent = func.sum(case((recent_cond, counted.c.value)))
    before = func.sum(case((earlier, counted.c.value)))
    first = func.min(case((earlier, counted.c.date_provided)))
    span = _days_between(session, days.c.window_start, first)
    span = case((span < WINDOW.days, WINDOW.days), else_=span)
    return session.execute(
        select(
            counted.c.witness_id,
            counted.c.case_id,
            counted.c.currency,
            days.c.day,
            days.c.window_start,
            recent,
            before,
            first,
        )
        .join(days, days.c.case_id == counted.c.case_id)
        .group_by(
            counted.c.witness_id,
            counted.c.case_id,
            counted.c.currency,
            days.c.day,
            days.c.window_start,
        )
        # recent > 2 * before * 30 / span, loosened so float sums (SQLite) never drop a rise
        .having(
            recent > 0,
            first.is_not(None),
            recent * span * 1001 + 1 > before * (RISE_FACTOR * WINDOW.days * 1000),
        )
    )


def _pre_testimony_rises(session: Session, order: dict, today: date) -> list[tuple]:
    """Per witness per trial day: what counted in the 30 days before it against the witness's
    own average per 30 days before that (per currency). ``order`` ranks the (witness, case,
    currency) keys; returns the candidate flags in that order, then the hearings'."""
    found = []
    for case_ids in _chunks(sorted({key[1] for key in order})):
        trial_days = _trial_days(session, case_ids, today)
        rank = {(c, d): n for n, (c, d, _) in enumerate(trial_days)}
        for rows in _chunks(trial_days, BATCH * 2):
            for witness_id, case_id, currency, day, start, recent, before, first in _window_sums(
                session, rows
            ):
                recent, before = Decimal(recent), Decimal(before)
                days = max((start - first).days, WINDOW.days)
                average = before * WINDOW.days / days
                if recent <= 0 or recent <= RISE_FACTOR * average:
                    continue
                detail = (
                    f"{_money(recent, currency)} in the 30 days before the trial day of "
                    f"{day.isoformat()}, against an average of {_money(average, currency)} "
                    f"per 30 days over the {days} days before ({_money(before, currency)} "
                    f"from {first.isoformat()})."
                )
                key = (witness_id, case_id, currency)
                found.append(
                    (
                        (order[key], rank[(case_id, day)]),
                        (FlagRule.pre_testimony_rise, witness_id, case_id, detail),
                    )
                )
    found.sort(key=lambda pair: pair[0])
    return [candidate for _, candidate in found]


def _median_without(values: list[Decimal], removed: list[Decimal]) -> Decimal:
    """The median of the sorted ``values`` once the sorted ``removed`` (some of them) are taken
    out; as ``statistics.median`` gives it, without copying the list."""
    n = len(values) - len(removed)

    def nth(k: int) -> Decimal:
        # the k-th smallest left is one of values[k .. k + len(removed)]
        for index in range(k, k + len(removed) + 1):
            x = values[index]
            if bisect_right(values, x) - bisect_right(removed, x) >= k + 1:
                return x
        raise AssertionError("removed must be taken from values")

    if n % 2:
        return nth(n // 2)
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


def _peer_outliers(session: Session, totals: dict) -> list[tuple]:
    """A witness's counted total in a case, per currency, against the median of witnesses
    (given support in that currency) in cases with the same main offence."""
    main_offence = dict(
        session.execute(
            select(CaseOffence.case_id, func.min(CaseOffence.category)).group_by(
                CaseOffence.case_id
            )
        ).all()
    )
    groups: dict[tuple, list[tuple[tuple[int, int, str], Decimal]]] = defaultdict(list)
    for key, value in totals.items():
        offence = main_offence.get(key[1])
        if offence is not None and value > 0:
            groups[(offence, key[2])].append((key, value))
    candidates = []
    for (offence, currency), members in groups.items():
        ordered = sorted(value for _, value in members)
        by_witness: dict[int, list[Decimal]] = defaultdict(list)
        for key, value in members:
            by_witness[key[0]].append(value)
        for own in by_witness.values():
            own.sort()
        for key, value in members:
            own = by_witness[key[0]]
            peers = len(ordered) - len(own)
            if peers < MIN_PEERS:
                continue
            middle = Decimal(_median_without(ordered, own))
            if value <= PEER_FACTOR * middle:
                continue
            candidates.append(
                (
                    FlagRule.peer_outlier,
                    key[0],
                    key[1],
                    f"{_money(value, currency)} in all, more than 3 times the median of "
                    f"{_money(middle, currency)} over {peers} witnesses in "
                    f"{offence.value.replace('_', ' ')} cases.",
                )
            )
    return candidates


def sweep_flags(session: Session, now: datetime | None = None) -> list[LedgerFlag]:
    """The pattern rules over the whole ledger; safe to run again. Returns the new flags."""
    today = (now or now_utc()).date()
    raised = _after_verdict_sweep(session)
    totals = _counted_totals(session)
    order = {key: n for n, key in enumerate(totals)}
    raised += _raise_patterns(session, _pre_testimony_rises(session, order, today))
    raised += _raise_patterns(session, _peer_outliers(session, totals))
    session.flush()
    return raised


# --- review -----------------------------------------------------------------------------------


def may_review(actor: User) -> bool:
    """Who has a queue of flags to review: supervisors and admins (of their office)."""
    return actor.role in REVIEWER_ROLES


def can_review(actor: User, witness: Witness) -> bool:
    """Who closes a flag about the witness: a reviewer of the witness's office."""
    return may_review(actor) and witness.organisation_id == actor.organisation_id


def close_flag(session: Session, actor: User, flag: LedgerFlag, note: str) -> LedgerFlag:
    """A supervisor of the witness's office closes the flag, saying what they found."""
    require(can_review(actor, flag.witness), "Only a supervisor of the witness's office may.")
    if flag.closed_dt is not None:
        raise DomainError(gettext("This flag is already closed."))
    note = clean_text(note, "note", multiline=True, max_length=4000)
    if not note:
        raise DomainError(
            gettext("Say what you found and why the flag can be closed."), field="note"
        )
    flag.closed_dt = now_utc()
    flag.closed_by_id = actor.id
    flag.close_note = note
    session.flush()
    record_event(
        session,
        actor,
        "ledger_flag.close",
        flag,
        witness_id=flag.witness_id,
        rule=flag.rule,
        case_id=flag.case_id,
    )
    return flag
