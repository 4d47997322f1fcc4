"""Flags on the support ledger: possible abuse of support, or an inducement to testify.

Item rules (``raise_flags``, when an item is recorded) look at one entry; pattern rules
(``sweep_flags``, run on a schedule) look at a witness's support over time and against peers.
A flag is never raised twice while the same one (rule, witness, case, item) is open; a closed
flag about one item is not raised again, and a closed pattern flag is raised again only when
its figures have changed. Supervisors of the witness's office close flags, with a note.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from witness.audit.services import record_event
from witness.auth.models import Role, User
from witness.cases.models import Case, Hearing, HearingStatus, HearingType
from witness.core.access import require
from witness.core.errors import DomainError
from witness.core.text import clean_text
from witness.core.time import now_utc
from witness.ledger.models import FlagRule, LedgerFlag, SupportCategory, SupportItem
from witness.ledger.services import approved_ids, counts
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
    case_ids = set(case_ids)
    if not case_ids:
        return {}
    hearings = session.scalars(
        select(Hearing).where(
            Hearing.case_id.in_(case_ids),
            Hearing.type == HearingType.trial_day,
            Hearing.status.in_(TESTIMONY_STATUSES),
        )
    ).all()
    by_case: dict[int, list[Hearing]] = defaultdict(list)
    for hearing in hearings:
        by_case[hearing.case_id].append(hearing)
    verdicts = {}
    for case_id, days in by_case.items():
        held = [h for h in days if h.status is HearingStatus.held]
        if not held:
            continue
        last = max(held, key=lambda h: h.end_dt)
        if any(h.status is not HearingStatus.held and h.start_dt > last.end_dt for h in days):
            continue  # the trial goes on
        tz = session.get(Case, case_id).court.timezone
        verdicts[case_id] = last.end_dt.astimezone(ZoneInfo(tz)).date()
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
        detail=(
            f"{item.category.label} ({_money(item.value, item.currency)}) given on "
            f"{item.date_provided.isoformat()}, after the verdict on {verdict.isoformat()}."
        ),
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
    verdict = _verdict_dates(session, [item.case_id]).get(item.case_id)
    raised.append(_after_verdict(session, item, verdict))
    return [f for f in raised if f is not None]


# --- the sweep --------------------------------------------------------------------------------


def _ledger(session: Session) -> tuple[list[SupportItem], list[SupportItem]]:
    """Every item given that stands (not a reversal, not reversed), and every entry that counts
    (approved, or needing no approval; reversals net out)."""
    items = list(session.scalars(select(SupportItem).order_by(SupportItem.id)))
    approved = approved_ids(session, [i.id for i in items])
    by_id = {i.id: i for i in items}
    reversed_ids = {i.reverses_id for i in items if i.reverses_id is not None}
    standing = [i for i in items if i.reverses_id is None and i.id not in reversed_ids]
    return standing, [i for i in items if counts(i, approved, by_id)]


def _pre_testimony_rises(session: Session, items: list[SupportItem], today: date) -> list:
    """Per witness per trial day: what counted in the 30 days before it against the witness's
    own average per 30 days before that (per currency)."""
    hearings = session.scalars(
        select(Hearing)
        .where(Hearing.type == HearingType.trial_day, Hearing.status.in_(TESTIMONY_STATUSES))
        .order_by(Hearing.start_dt, Hearing.id)
    ).all()
    by_case: dict[int, list[Hearing]] = defaultdict(list)
    for hearing in hearings:
        by_case[hearing.case_id].append(hearing)
    # the witness's items, per case, per currency
    ledgers: dict[tuple[int, int, str], list[SupportItem]] = defaultdict(list)
    for item in items:
        ledgers[(item.witness_id, item.case_id, item.currency)].append(item)
    raised = []
    for (witness_id, case_id, currency), entries in ledgers.items():
        for hearing in by_case.get(case_id, []):
            tz = session.get(Case, case_id).court.timezone
            day = hearing.start_dt.astimezone(ZoneInfo(tz)).date()
            window_start = day - WINDOW
            if window_start > today:
                continue  # the 30 days before it have not begun
            earlier = [i for i in entries if i.date_provided < window_start]
            if not earlier:
                continue  # nothing to compare with
            recent = sum(
                (i.value for i in entries if window_start <= i.date_provided < day), Decimal(0)
            )
            first = min(i.date_provided for i in earlier)
            days = max((window_start - first).days, WINDOW.days)
            before = sum((i.value for i in earlier), Decimal(0))
            average = before * WINDOW.days / days
            if recent <= 0 or recent <= RISE_FACTOR * average:
                continue
            raised.append(
                _raise(
                    session,
                    FlagRule.pre_testimony_rise,
                    witness_id=witness_id,
                    case_id=case_id,
                    detail=(
                        f"{_money(recent, currency)} in the 30 days before the trial day of "
                        f"{day.isoformat()}, against an average of {_money(average, currency)} "
                        f"per 30 days over the {days} days before ({_money(before, currency)} "
                        f"from {first.isoformat()})."
                    ),
                )
            )
    return raised


def _peer_outliers(session: Session, items: list[SupportItem]) -> list:
    """A witness's counted total in a case, per currency, against the median of witnesses
    (given support in that currency) in cases with the same main offence."""
    main_offence = {
        case.id: case.offence_categories[0]
        for case in session.scalars(select(Case).where(Case.offences.any()))
    }
    totals: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for item in items:
        totals[(item.witness_id, item.case_id, item.currency)] += item.value
    groups: dict[tuple, list[tuple[tuple[int, int, str], Decimal]]] = defaultdict(list)
    for key, value in totals.items():
        offence = main_offence.get(key[1])
        if offence is not None and value > 0:
            groups[(offence, key[2])].append((key, value))
    raised = []
    for (offence, currency), members in groups.items():
        for key, value in members:
            peers = [v for k, v in members if k[0] != key[0]]
            if len(peers) < MIN_PEERS:
                continue
            middle = Decimal(median(peers))
            if value <= PEER_FACTOR * middle:
                continue
            raised.append(
                _raise(
                    session,
                    FlagRule.peer_outlier,
                    witness_id=key[0],
                    case_id=key[1],
                    detail=(
                        f"{_money(value, currency)} in all, more than 3 times the median of "
                        f"{_money(middle, currency)} over {len(peers)} witnesses in "
                        f"{offence.value.replace('_', ' ')} cases."
                    ),
                )
            )
    return raised


def sweep_flags(session: Session, now: datetime | None = None) -> list[LedgerFlag]:
    """The pattern rules over the whole ledger; safe to run again. Returns the new flags."""
    today = (now or now_utc()).date()
    standing, items = _ledger(session)
    raised = []
    verdicts = _verdict_dates(session, {i.case_id for i in standing})
    for item in standing:
        raised.append(_after_verdict(session, item, verdicts.get(item.case_id)))
    raised += _pre_testimony_rises(session, items, today)
    raised += _peer_outliers(session, items)
    return [f for f in raised if f is not None]


# --- review -----------------------------------------------------------------------------------


def can_review(actor: User, witness: Witness) -> bool:
    return actor.role in REVIEWER_ROLES and witness.organisation_id == actor.organisation_id


def close_flag(session: Session, actor: User, flag: LedgerFlag, note: str) -> LedgerFlag:
    """A supervisor of the witness's office closes the flag, saying what they found."""
    require(can_review(actor, flag.witness), "Only a supervisor of the witness's office may.")
    if flag.closed_dt is not None:
        raise DomainError("This flag is already closed.")
    note = clean_text(note, "note", multiline=True, max_length=4000)
    if not note:
        raise DomainError("Say what you found and why the flag can be closed.", field="note")
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
