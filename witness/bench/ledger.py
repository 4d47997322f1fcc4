"""The generated support ledger (issue 5): what each witness was given, hash-chained per case.

Entries are planned case by case, so only one case's chain is in memory at a time: the items
of the case's participations (spread over each witness's time in the case, in proportion to its
length), about one in a hundred reversed by a later entry, put in the order they were recorded
and chained as ``record_item`` and ``reverse_item`` would have (the hash is
``witness.ledger.services.entry_hash``'s, over the same canonical content built faster here and
checked against ``canonical_content`` as it goes). Items needing approval are approved by a
supervisor of the witness's office (never the recorder) nine times in ten; the rest are
pending.

Each item's phase is the participation's phase at the moment it was recorded (from the
generated phase history), which is what ``record_item`` stores; the day provided is that day or
up to a week before (witness expenses: a past trial day of the case, claimed within a
fortnight). Items fall within the witness's time in the case: from joining to now, or to the
day the participation closed. 95% of the items of a witness with assessed needs are linked to
one (of the matching area where there is one): about two thirds of all items, as 70% of the
generated witnesses have an assessment; the others carry a rationale only.

The case with the most entries is the *disclosure case*: it gets exactly
``Scale.disclosure_case_entries`` entries and every other case fewer (only with very few cases,
when the others cannot take the rest below that, does it get more), and its id is returned in
``Generated.disclosure_case_id`` (``generate-data`` prints it). It is the case whose witnesses
have spent the most time in it, in practice a big trafficking case.

What a participation needs is kept compact in arrays by ``WitnessSteps.keep_participation``
while the witnesses are planned (about 80 bytes each) and read back per case by
``WitnessSteps.case_participations``: the witness, their officer and office, the phase history as
(timestamp, phase) pairs, when it began and when it ended (a closed participation takes no new
items).
"""

from __future__ import annotations

from array import array
from bisect import bisect
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from types import SimpleNamespace
from typing import TYPE_CHECKING

from witness.bench.hearings import HEARING_STATUSES, HEARING_TYPES
from witness.bench.ledger_kinds import (
    _BYSTANDER_CUM,
    _EXPENSES,
    _INTERPRETING,
    _TRANSPORT,
    _VICTIM_CUM,
    APPROVAL_NOTES,
    BACK_DAYS,
    KINDS,
    REVERSAL_REASONS,
    _json,
)
from witness.cases.models import HearingStatus, HearingType
from witness.ledger.content import GENESIS, approval_content, canonical_content, chained
from witness.ledger.keys import keyring
from witness.ledger.models import SupportApproval, SupportItem
from witness.ledger.money import CENT
from witness.people.models import Phase

if TYPE_CHECKING:
    from witness.bench.generate import _Generator
    from witness.bench.hearings import HearingGenerator

CURRENCY = "GBP"
APPROVED_SHARE = 0.9
REVERSED_SHARE = 0.01
#: items per day in the case, relative, by the witness's roster letter (vocabulary.KIND_WEIGHTS)
KIND_FACTOR = {"a": 1.0, "c": 1.2, "p": 1.2, "l": 0.8, "x": 0.5, "w": 0.25}
DAY = 86_400.0


class _Entry:
    """A planned ledger entry (amounts in whole units and pence, texts with their JSON); see
    ``_as_row`` for the values the database gives back, which the hash is taken over."""

    __slots__ = (
        "case_id", "category", "chain_seq", "date_provided", "description", "description_json",
        "entry_hash", "id", "is_cash", "iso", "key_id", "kind", "need_id", "needs_approval",
        "office",
        "pence", "phase", "prev_hash", "provider_organisation_id", "qty", "rationale",
        "rationale_json", "recorded_by_id", "recorded_dt", "reversal_json", "reversal_reason",
        "reverses", "reverses_id", "ts", "witness_id",
    )  # fmt: skip


ITEM_KEYS = (
    "id", "case_id", "witness_id", "category", "description", "quantity", "unit", "value",
    "currency", "is_cash", "date_provided", "provider_organisation_id", "recorded_by_id",
    "recorded_dt", "rationale", "need_id", "phase", "needs_approval", "reverses_id",
    "reversal_reason", "chain_seq", "prev_hash", "entry_hash", "key_id",
)  # fmt: skip
APPROVAL_KEYS = (
    "id", "item_id", "approved_by_id", "approved_dt", "note", "case_id", "chain_seq",
    "prev_hash", "entry_hash", "key_id",
)  # fmt: skip


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def allocate(weights: array, total: int, cap: int | None) -> tuple[array, int]:
    """``total`` entries over cases in proportion to ``weights``, none above ``cap``; returns
    the counts and how many found no case below the cap (only with very few cases)."""
    n = len(weights)
    counts = array("I", bytes(4 * n))
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return counts, max(total, 0)
    running, given = 0.0, 0
    for c, w in enumerate(weights):
        running += w
        due = round(total * running / whole)
        counts[c] = due - given
        given = due
    if cap is not None:
        spill = 0
        for c in range(n):
            if counts[c] > cap:
                spill += counts[c] - cap
                counts[c] = cap
        room = [c for c in range(n) if weights[c] > 0 and counts[c] < cap]
        while spill and room:
            for c in list(room):
                if not spill:
                    break
                counts[c] += 1
                spill -= 1
                if counts[c] >= cap:
                    room.remove(c)
        return counts, spill
    return counts, 0


class LedgerGenerator:
    """Adds the support ledger to a ``_Generator``'s plan, case by case.

    Speed: rows go to the driver as tuples built here, and the hash is taken over the canonical
    content built here too, both checked against ``BulkWriter.converter`` and
    ``services.canonical_content`` on the first entries and every thousandth after (a change
    in either raises at once rather than writing chains that do not verify).
    """

    def __init__(self, gen: _Generator, hearings: HearingGenerator) -> None:
        self.gen = gen
        self.hearings = hearings
        self.rng = gen.rng
        self.scale = gen.scale
        self.now_ts = gen.now.timestamp()
        self.items: list = []
        self.approvals: list = []
        self.convert_item = gen.writer.converter(SupportItem, ITEM_KEYS)
        self.convert_approval = gen.writer.converter(SupportApproval, APPROVAL_KEYS)
        #: the app's ledger keys: the chains are signed as record_item would sign them
        self.ring = keyring(gen.session)
        self.dialect = gen.session.get_bind().dialect.name
        self.checked = 0
        #: in pence: above it an item needs approval, as the app's forms decide
        self.threshold = _approval_threshold() * 100
        self.trial_index = HEARING_TYPES.index(HearingType.trial_day)
        self.vacated_index = HEARING_STATUSES.index(HearingStatus.vacated)
        self.trial_base = datetime.combine(hearings.timeline.base, time(16), UTC).timestamp()

    # --- the plan ---

    def add_ledger(self) -> int | None:
        """Write the entries and approvals; returns the disclosure case's id (the case with the
        most entries), or None when no entries were asked for."""
        gen, s = self.gen, self.scale
        total = s.ledger_entries
        if total <= 0:
            return None
        weights = array("d", bytes(8 * s.cases))
        for c in range(s.cases):
            weights[c] = sum(self.weight(p) for p in gen.case_participations(c))
        disclosure = min(s.disclosure_case_entries, total)
        top = max(range(s.cases), key=weights.__getitem__)
        if disclosure > 0:
            rest = weights[top]
            weights[top] = 0.0
            counts, left = allocate(weights, total - disclosure, disclosure - 1)
            # Exactly as asked, unless the other cases cannot take the rest below it.
            counts[top] = disclosure + left
            weights[top] = rest
        else:
            counts, _ = allocate(weights, total, None)
            top = max(range(s.cases), key=counts.__getitem__)
        for c in range(s.cases):
            if counts[c]:
                self.plan_case(c, counts[c])
                if len(self.items) >= 4 * s.chunk:
                    self.flush()
        self.flush()
        return gen.case_ids[top]

    def weight(self, p: tuple) -> float:
        """Days in the case (at least one), times how much support the witness's kind gets."""
        i, _wid, _officer, _office, joined, end, _transitions = p
        return max(end - joined, DAY) / DAY * KIND_FACTOR[chr(self.gen.w_kind[i])]

    def flush(self) -> None:
        gen = self.gen
        gen.writer.write_converted(SupportItem, ITEM_KEYS, self.items)
        gen.writer.write_converted(SupportApproval, APPROVAL_KEYS, self.approvals)
        gen.writer.commit()
        gen.progress(len(self.items))
        self.items, self.approvals = [], []

    def court_days(self, c: int) -> list[float]:
        """Trial days of the case that took place (not vacated, not in the future), as the
        time of day expenses are settled (16:00 UTC)."""
        sch = self.hearings
        first = sch.case_first_hearing[c]
        days = set()
        for h in range(first, first + sch.case_hearings[c]):
            if (
                sch.h_type[h] == self.trial_index
                and sch.h_status[h] != self.vacated_index
                and sch.h_day[h] < sch.timeline.today
            ):
                days.add(self.trial_base + sch.h_day[h] * DAY)
        return sorted(days)

    def plan_case(self, c: int, n: int) -> None:
        """``n`` entries of case ``c`` (reversals included), and the approvals of those that
        need one, chained in the order recorded."""
        gen, rng = self.gen, self.rng
        case_id = gen.case_ids[c]
        ps = gen.case_participations(c)
        cum = list(accumulate(self.weight(p) for p in ps))
        court = self.court_days(c) if gen.scale.hearings else []
        contexts = [self.context(p, court) for p in ps]
        reversals = min(n // 2, int(n * REVERSED_SHARE + rng.random())) if n > 1 else 0
        entries = [
            self.plan_item(case_id, ctx)
            for ctx in rng.choices(contexts, cum_weights=cum, k=n - reversals)
        ]
        for k in rng.sample(range(len(entries)), reversals):
            entries.append(self.plan_reversal(entries[k], ps))
        # The order they were recorded in; a reversal after the entry it reverses, an approval
        # after the entry it approves and before any reversal of it (approve_item refuses to
        # approve a reversed item).
        entries.sort(key=lambda e: (e.ts, e.reverses is not None))
        reversed_at = {id(e.reverses): e.ts for e in entries if e.reverses is not None}
        random = rng.random
        approvals = [
            a
            for e in entries
            if e.needs_approval and e.reverses is None and random() < APPROVED_SHARE
            if (a := self.plan_approval(e, reversed_at.get(id(e)))) is not None
        ]
        records = sorted(
            [(e.ts, 0, k, e) for k, e in enumerate(entries)]
            + [(a.ts, 1, k, a) for k, a in enumerate(approvals)]
        )
        prev = GENESIS
        sqlite = self.dialect == "sqlite"
        fast = self.dialect in ("sqlite", "postgresql")
        ring, key_id = self.ring, self.ring.signing_id
        for seq, (_, is_approval, _, e) in enumerate(records, 1):
            e.chain_seq, e.prev_hash, e.key_id = seq, prev, key_id
            if is_approval:
                self.add_approval(e, sqlite, fast)
                prev = e.entry_hash
                continue
            e.id = gen.new_id(SupportItem)
            original = e.reverses
            if original is not None:
                e.reverses_id = original.id
                e.description = f"Reversal of entry {original.chain_seq}: {original.description}"
                e.description = e.description[:500]
                e.description_json = _json(e.description)
            content = _canonical(e, key_id)
            prev = e.entry_hash = ring.sign(chained(e.prev_hash, content))
            if fast:
                row = _sqlite_row(e) if sqlite else _postgresql_row(e)
            else:
                row = self.convert_item(_as_row(e))
            if self.checked < 100 or e.id % 1000 == 0:
                self.check(e, content, row)
            self.items.append(row)

    def check(self, e: _Entry, content: bytes, row: tuple) -> None:
        """The fast content and row are exactly what the services and the converter give."""
        self.checked += 1
        item = _as_item(e)
        if content != canonical_content(item):
            raise RuntimeError("the ledger's canonical content changed: update bench/ledger.py")
        if row != self.convert_item(_as_row(e)):
            raise RuntimeError("the support_items row format changed: update bench/ledger.py")

    def plan_approval(self, e: _Entry, reversed_ts: float | None) -> SimpleNamespace | None:
        """A supervisor of the witness's office (never the recorder) approves ``e`` within
        five days, before it is reversed and never after now."""
        rng = self.rng
        approvers = self.gen.supervisors[e.office]
        if e.recorded_by_id in approvers:
            approvers = [u for u in approvers if u != e.recorded_by_id]
            if not approvers:
                return None
        ts = min(e.ts + rng.uniform(600, 5 * DAY), self.now_ts)
        if reversed_ts is not None and ts >= reversed_ts:
            ts = (e.ts + reversed_ts) / 2
        return SimpleNamespace(
            ts=ts,
            item=e,
            case_id=e.case_id,
            approved_by_id=approvers[int(rng.random() * len(approvers))],
            approved_dt=datetime.fromtimestamp(ts, UTC),
            note=APPROVAL_NOTES[int(rng.random() * len(APPROVAL_NOTES))],
        )

    def add_approval(self, a: SimpleNamespace, sqlite: bool, fast: bool) -> None:
        """Sign the approval at its position (as ``chain.append_approval``) and keep its row."""
        a.id, a.item_id = self.gen.new_id(SupportApproval), a.item.id
        content = approval_content(a, a.item.entry_hash)
        a.entry_hash = self.ring.sign(chained(a.prev_hash, content))
        row = tuple(getattr(a, key) for key in APPROVAL_KEYS)
        fast_row = (*row[:3], _sqlite_dt(a.approved_dt), *row[4:]) if sqlite else row
        if not fast or self.checked < 100:
            converted = self.convert_approval(dict(zip(APPROVAL_KEYS, row, strict=True)))
            if not fast:
                fast_row = converted
            elif converted != fast_row:
                raise RuntimeError("the support_approvals row format changed")
        self.approvals.append(fast_row)

    def context(self, p: tuple, court: list[float]) -> tuple:
        """What planning an item of participation ``p`` needs, worked out once per case."""
        gen = self.gen
        i, wid, officer, office, joined, end, transitions = p
        return (
            wid,
            officer,
            office,
            joined,
            end,
            transitions,
            gen.w_kind[i] == ord("w"),
            gen.w_lang[i] != 255,
            gen.w_workers.get(i, ()),
            gen.witness_needs(i),
            [d for d in court if joined <= d <= end],
            gen.offices[office]["id"],
        )

    def plan_item(self, case_id: int, ctx: tuple) -> _Entry:
        gen, rng = self.gen, self.rng
        random = rng.random
        (
            wid, officer, office, joined, end, transitions, bystander, interpreted, workers,
            needs, court, office_org,
        ) = ctx  # fmt: skip
        cumulative = _BYSTANDER_CUM if bystander else _VICTIM_CUM
        kind = KINDS[bisect(cumulative, random() * cumulative[-1])]
        if kind.category in _INTERPRETING and not interpreted:
            kind = _TRANSPORT  # no interpreter needed: they travel instead
        if kind is _EXPENSES and not court:
            kind = _TRANSPORT  # no court day yet: travel to meetings instead
        if kind is _EXPENSES:
            day = court[int(random() * len(court))]
            provided = datetime.fromtimestamp(day, UTC).date()
            # Claimed on the day or in the fortnight after.
            ts = min(day + random() * 14 * DAY, self.now_ts)
            recorded = datetime.fromtimestamp(ts, UTC)
        else:
            ts = joined + random() * (end - joined) if end > joined else end
            recorded = datetime.fromtimestamp(ts, UTC)
            back = BACK_DAYS[int(random() * len(BACK_DAYS))]
            if back == 0 or ts - back * DAY < joined:
                provided = datetime.fromtimestamp(max(ts - back * DAY, joined), UTC).date()
            else:
                provided = (recorded - timedelta(days=back)).date()
        description, cash, description_json = kind.choices[int(random() * len(kind.choices))]
        low, high = kind.quantity
        quantity = low + int(random() * (high - low + 1))
        low, high = kind.price
        pence = quantity * (low + int(random() * (high - low + 1)))
        cash = cash or kind.category.is_cash_like
        e = _Entry()
        e.case_id, e.witness_id, e.category, e.kind = case_id, wid, kind.category, kind
        e.description, e.description_json = description, description_json
        e.qty, e.pence, e.is_cash = quantity, pence, cash
        e.date_provided, e.ts, e.office, e.recorded_dt = provided, ts, office, recorded
        e.iso = recorded.isoformat(timespec="microseconds")
        e.phase = _phase_at(transitions, ts)
        e.needs_approval = cash or pence > self.threshold
        e.reverses = e.reverses_id = None
        e.reversal_reason, e.reversal_json = "", '""'
        if workers and kind.ngo and random() < 0.6:
            worker = workers[int(random() * len(workers))]
            e.recorded_by_id, e.provider_organisation_id = worker, gen.worker_org[worker]
        else:
            e.recorded_by_id, e.provider_organisation_id = officer, office_org
        e.need_id = None
        if needs and random() < 0.95:
            matching = [nid for nid, area in needs if area is kind.area]
            if matching:
                e.need_id = matching[int(random() * len(matching))]
            else:  # support towards the witness's wider needs
                e.need_id = needs[int(random() * len(needs))][0]
        rationales = kind.linked if e.need_id else kind.unlinked
        e.rationale, e.rationale_json = rationales[int(random() * len(rationales))]
        return e

    def plan_reversal(self, original: _Entry, ps: list) -> _Entry:
        """As ``reverse_item`` builds it: negated, dated the day it is recorded, in the
        participation's phase at that moment, by the person who recorded the original."""
        rng = self.rng
        ts = min(original.ts + rng.uniform(3600, 30 * DAY), self.now_ts)
        transitions = next(p[6] for p in ps if p[1] == original.witness_id)
        e = _Entry()
        for key in _COPIED:
            setattr(e, key, getattr(original, key))
        e.description = original.description  # completed once the original has its id
        e.qty, e.pence = -original.qty, -original.pence
        e.ts = ts
        e.recorded_dt = datetime.fromtimestamp(ts, UTC)
        e.iso = e.recorded_dt.isoformat(timespec="microseconds")
        e.date_provided = e.recorded_dt.date()
        e.phase = _phase_at(transitions, ts)
        e.needs_approval = False
        e.reverses = original
        e.reversal_reason = REVERSAL_REASONS[int(rng.random() * len(REVERSAL_REASONS))]
        e.reversal_json = _json(e.reversal_reason)
        return e


def _approval_threshold() -> Decimal:
    """The threshold the app's forms pass to ``record_item`` for GBP (the app's configuration
    when there is an app context; ``record_item``'s default otherwise)."""
    from flask import current_app, has_app_context

    from witness.ledger import services

    configured = getattr(services, "approval_threshold", None)
    if configured is None:
        return services.DEFAULT_APPROVAL_THRESHOLD
    return configured(CURRENCY, current_app.config if has_app_context() else None)


def _phase_at(transitions: tuple, ts: float) -> Phase:
    """The participation's phase at ``ts``: what ``record_item`` stores when recording then.
    ``transitions`` is (timestamp, phase, timestamp, phase, ...) in order."""
    phase = transitions[1]
    for k in range(2, len(transitions), 2):
        if transitions[k] > ts:
            break
        phase = transitions[k + 1]
    return phase


_COPIED = (
    "case_id", "witness_id", "category", "kind", "is_cash", "office",
    "provider_organisation_id", "recorded_by_id", "rationale", "rationale_json", "need_id",
)  # fmt: skip
_TRUE_FALSE = ("false", "true")


def _amount_text(cents: int) -> str:
    """``money.amount_text`` of ``cents / 100`` (never zero here)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _canonical(e: _Entry, key_id: str) -> bytes:
    """``chain.canonical_content`` of the entry, built directly (keys sorted)."""
    need = "null" if e.need_id is None else e.need_id
    reverses = "null" if e.reverses_id is None else e.reverses_id
    kind = e.kind
    return (
        f'{{"case_id":{e.case_id},"category":{kind.category_json},"chain_seq":{e.chain_seq},'
        f'"currency":"{CURRENCY}","date_provided":"{e.date_provided.isoformat()}",'
        f'"description":{e.description_json},"is_cash":{_TRUE_FALSE[e.is_cash]},'
        f'"key_id":{_json(key_id)},"kind":"item",'
        f'"need_id":{need},"needs_approval":{_TRUE_FALSE[e.needs_approval]},'
        f'"phase":"{e.phase.value}","provider_organisation_id":{e.provider_organisation_id},'
        f'"quantity":"{_amount_text(100 * e.qty)}","rationale":{e.rationale_json},'
        f'"recorded_by_id":{e.recorded_by_id},"recorded_dt":"{e.iso}",'
        f'"reversal_reason":{e.reversal_json},"reverses_id":{reverses},'
        f'"unit":{kind.unit_json},"value":"{_amount_text(e.pence)}","witness_id":{e.witness_id}}}'
    ).encode()


def _as_item(e: _Entry) -> SimpleNamespace:
    """The entry as the ORM reads it back (for ``canonical_content``)."""
    return SimpleNamespace(**_as_row(e))


def _as_row(e: _Entry) -> dict:
    return dict(
        id=e.id,
        case_id=e.case_id,
        witness_id=e.witness_id,
        category=e.category,
        description=e.description,
        quantity=Decimal(e.qty).quantize(CENT),
        unit=e.kind.unit,
        value=_pounds(e.pence),
        currency=CURRENCY,
        is_cash=e.is_cash,
        date_provided=e.date_provided,
        provider_organisation_id=e.provider_organisation_id,
        recorded_by_id=e.recorded_by_id,
        recorded_dt=e.recorded_dt,
        rationale=e.rationale,
        need_id=e.need_id,
        phase=e.phase,
        needs_approval=e.needs_approval,
        reverses_id=e.reverses_id,
        reversal_reason=e.reversal_reason,
        chain_seq=e.chain_seq,
        prev_hash=e.prev_hash,
        entry_hash=e.entry_hash,
        key_id=e.key_id,
    )


def _sqlite_dt(value: datetime) -> str:
    """What ``UTCDateTime`` stores on SQLite for an aware UTC datetime."""
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_row(e: _Entry) -> tuple:
    """The driver's values on SQLite, in ``ITEM_KEYS`` order (as the converter gives them)."""
    iso = e.iso
    return (
        e.id, e.case_id, e.witness_id, e.category.value, e.description, float(e.qty),
        e.kind.unit, e.pence / 100, CURRENCY, int(e.is_cash), e.date_provided.isoformat(),
        e.provider_organisation_id, e.recorded_by_id, f"{iso[:10]} {iso[11:26]}", e.rationale,
        e.need_id, e.phase.value, int(e.needs_approval), e.reverses_id, e.reversal_reason,
        e.chain_seq, e.prev_hash, e.entry_hash, e.key_id,
    )  # fmt: skip


def _postgresql_row(e: _Entry) -> tuple:
    """The driver's values on PostgreSQL (COPY), in ``ITEM_KEYS`` order."""
    return (
        e.id, e.case_id, e.witness_id, e.category.value, e.description, Decimal(e.qty),
        e.kind.unit, _pounds(e.pence), CURRENCY, e.is_cash, e.date_provided,
        e.provider_organisation_id, e.recorded_by_id, e.recorded_dt, e.rationale,
        e.need_id, e.phase.value, e.needs_approval, e.reverses_id, e.reversal_reason,
        e.chain_seq, e.prev_hash, e.entry_hash, e.key_id,
    )  # fmt: skip
