"""Generated scheduling data (issue 4): court resources, interpreters, hearings, appointments
with their staff and slots, and special measures.

Everything a person or room does is laid on a grid of quarter hours from 08:00 to 18:00 in the
court's timezone, one 40-bit mask per subject and day. An appointment is placed only where the
witness, every member of staff, the interpreter and the room are all free (travel included for
people), so the generated slots are a valid schedule: no subject is ever in two places at once.
Staff, interpreter and room masks live for the whole run (a few kilobytes per subject); a
witness's own masks only while their appointments are planned. Rows are written in chunks.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from witness.bench.generate import COURT_TIMEZONE
from witness.cases.models import CaseStatus, Hearing, HearingChange, HearingStatus, HearingType
from witness.hearings.measures import CHILD_STANDARD, TRAFFICKING_STANDARD
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.conflicts import plan_slots
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStaff,
    AppointmentStatus,
    Interpreter,
)

if TYPE_CHECKING:
    from witness.bench.generate import _Generator

#: the grid: quarter hours from 08:00 to 18:00, the resources' opening hours
CELL_MINUTES = 15
DAY_OPENS = time(8, 0)
DAY_CLOSES = time(18, 0)
CELLS = 40
FULL_DAY = (1 << CELLS) - 1
CELL_TIMES = [timedelta(minutes=CELL_MINUTES * cell) for cell in range(CELLS + 1)]
#: days of the grid before and after today: the oldest generated cases are ~900 days old
PAST_DAYS = 950
FUTURE_DAYS = 400
#: how far ahead a witness of an open case has appointments booked
BOOKED_AHEAD_DAYS = 365
#: weekdays either side of the wished-for day tried before an appointment is given up
PROBE_DAYS = 12

#: trial start relative to today (days), and whether sentencing and an appeal follow
TRIAL_PLAN = {
    CaseStatus.charged: ((40, 300), False, False),
    CaseStatus.trial: ((-30, 45), False, False),
    CaseStatus.sentenced: ((-240, -60), True, False),
    CaseStatus.appeal: ((-250, -150), True, True),
    CaseStatus.closed: ((-240, -100), True, False),
}
#: (start cells to choose from, duration in cells (low, high)) per hearing type
HEARING_TIMES = {
    HearingType.first_appearance: ((8, 10, 12, 14, 24, 26, 28), (2, 4)),
    HearingType.pre_trial_review: ((8, 10, 12, 24, 26), (2, 4)),
    HearingType.trial_day: ((8, 8, 8, 6), (22, 24)),
    HearingType.sentencing: ((8, 12, 24), (4, 8)),
    HearingType.appeal: ((8, 8, 24), (6, 12)),
    HearingType.parole_hearing: ((8, 12, 24), (4, 6)),
    HearingType.other: ((12, 14, 26), (2, 4)),
}
#: days after the last trial day (or the hearing before) that the later hearings come
FOLLOW_UP_DAYS = {
    HearingType.sentencing: (21, 60),
    HearingType.parole_hearing: (100, 300),
    HearingType.appeal: (60, 150),
}
HEARING_TYPES = list(HearingType)
HEARING_STATUSES = list(HearingStatus)
HEARING_NOTES = (
    "",
    "",
    "",
    "Listed for the whole day; witness to attend from 10:00.",
    "Defence applications to be heard first.",
    "Interpreter required for the complainant.",
    "Jury to be sworn in the morning.",
)
MOVE_REASONS = (
    "Court listing changed: judge unavailable",
    "Defence counsel unavailable; re-listed by the court",
    "Previous trial overran",
    "Adjourned to allow service of further evidence",
)
VACATE_REASONS = (
    "Vacated: the defendant changed plea",
    "Vacated by the court; to be re-listed",
    "Vacated: prosecution offered no further evidence on this count",
)

RESOURCE_NAMES = {
    ResourceKind.courtroom: "Courtroom {n}",
    ResourceKind.video_link_suite: "Video-link suite {n}",
    ResourceKind.remote_site: "Remote witness site {n}",
    ResourceKind.waiting_room: "Witness waiting room {n}",
}
REMOTE_PLACES = (
    "Unit {n}, Riverside Business Park, {town}",
    "Community centre, {n} Station Road, {town}",
    "Victim care hub, {n} Market Street, {town}",
)

A = AppointmentKind
#: appointment kinds by the witness's roster letter (see generate.KIND_WEIGHTS): those still
#: reflecting or who withdrew get support, not court dates
KIND_MIX = {
    "a": {A.accompaniment: 26, A.familiarisation: 10, A.video_link: 10,
          A.pre_trial_meeting: 18, A.risk_review: 16, A.counselling: 20},
    "c": {A.accompaniment: 20, A.familiarisation: 12, A.video_link: 18,
          A.pre_trial_meeting: 14, A.risk_review: 16, A.counselling: 20},
    "p": {A.accompaniment: 20, A.familiarisation: 12, A.video_link: 18,
          A.pre_trial_meeting: 14, A.risk_review: 16, A.counselling: 20},
    "l": {A.risk_review: 40, A.counselling: 60},
    "x": {A.pre_trial_meeting: 20, A.risk_review: 40, A.counselling: 40},
    "w": {A.accompaniment: 40, A.familiarisation: 20, A.video_link: 4,
          A.pre_trial_meeting: 36},
}  # fmt: skip
#: how many appointments a witness has, relative to others, per day of their file
APPOINTMENT_WEIGHT = {"a": 1.0, "c": 1.3, "p": 1.3, "l": 0.5, "x": 0.5, "w": 0.6}
LINKED_KINDS = (A.accompaniment, A.video_link)


def _table(weights: dict, size: int = 200) -> list:
    """Values repeated in proportion to their weights: ``table[int(random() * len(table))]``
    draws one with a single call to the generator (random.choices makes a dozen)."""
    total = sum(weights.values())
    table = []
    for value, weight in weights.items():
        table += [value] * round(size * weight / total)
    return table


#: per letter: the kinds, then the kinds not tied to a hearing
_KIND_TABLES = {
    letter: (_table(mix), _table({k: v for k, v in mix.items() if k not in LINKED_KINDS}))
    for letter, mix in KIND_MIX.items()
}
#: durations in quarter hours (1 to 3 hours) and travel in minutes (0 to 60), by weight
DURATIONS = {4: 26, 6: 22, 8: 24, 10: 14, 12: 14}
TRAVEL = {0: 24, 10: 6, 15: 14, 20: 12, 30: 18, 40: 8, 45: 8, 60: 10}
_DURATION_TABLE = _table(DURATIONS)
_TRAVEL_TABLE = _table(TRAVEL)
#: the millisecond time stamp generated calendar UIDs count up from (2024-01-01)
UID_EPOCH_MS = 1_704_067_200_000
#: how long before an appointment it was booked: 2 to 45 days, on the quarter hour
BOOKED_BEFORE = [timedelta(minutes=15 * n) for n in range(2 * 96, 45 * 96, 7)]
APPOINTMENT_NOTES = (
    "", "", "", "", "",
    "Meet at the side entrance.",
    "Witness prefers a female officer.",
    "Bring the printed travel letter.",
    "Guardian to attend as well.",
    "Taxi booked from the safe address.",
)  # fmt: skip
RESCHEDULE_REASONS = (
    "Moved at the witness's request",
    "Officer on leave; moved to the next free morning",
    "Clashed with a medical appointment",
)
CANCEL_REASONS = (
    "Witness unwell",
    "No longer needed: the meeting took place by phone",
    "Witness asked to cancel",
)
MEASURE_NOTES = {
    MeasureStatus.granted: "Granted by the judge at the pre-trial review.",
    MeasureStatus.refused: "Refused: the court found the witness able to give evidence in court.",
    MeasureStatus.withdrawn: "Withdrawn: the witness chose to give evidence in court.",
}
OTHER_MEASURES = (MeasureKind.screens, MeasureKind.support_person, MeasureKind.evidence_in_private)
#: share of trial hearings at which a witness of the case has special measures
MEASURE_SHARE = 0.10


class Timeline:
    """Calendar days around today, each from 08:00 to 18:00 local time in quarter hours."""

    def __init__(self, today: date, tz: str) -> None:
        zone = ZoneInfo(tz)
        self.base = today - timedelta(days=PAST_DAYS)
        self.today = PAST_DAYS
        self.days = PAST_DAYS + FUTURE_DAYS + 1
        dates = [self.base + timedelta(days=d) for d in range(self.days)]
        # Local opening time as a UTC instant per day: on a weekday the grid never crosses a
        # daylight-saving change (those happen at night on Sundays), so minutes simply add.
        self.opens = [datetime.combine(d, DAY_OPENS, zone).astimezone(UTC) for d in dates]
        self.is_weekday = bytes(1 if d.weekday() < 5 else 0 for d in dates)

    def at(self, day: int, cell: int) -> datetime:
        return self.opens[day] + CELL_TIMES[cell]

    def clamp(self, day: int) -> int:
        return min(max(day, 0), self.days - 1)

    def weekday(self, day: int, forward: bool = True) -> int:
        """The day itself if a weekday, else the next (or previous) one inside the grid."""
        day = self.clamp(day)
        step = 1 if forward else -1
        while not self.is_weekday[day]:
            if not 0 <= day + step < self.days:
                step = -step
            day += step
        return day

    def add_weekdays(self, day: int, n: int) -> int:
        while n > 0 and day < self.days - 1:
            day += 1
            n -= self.is_weekday[day]
        return self.weekday(day, forward=False)


def _run_starts(free: int, length: int) -> int:
    """Bits b of ``free`` where bits b .. b+length-1 are all set: where a run can start."""
    runs, span = free, 1
    while span < length:
        step = min(span, length - span)
        runs &= runs >> step
        span += step
    return runs


def _cells(minutes: int) -> int:
    return -(-minutes // CELL_MINUTES)


class ScheduleGenerator:
    """Adds the scheduling rows to a ``_Generator``'s plan; one method per kind of record."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.scale = gen.scale
        self.now = gen.now
        self.timeline = Timeline(gen.today, COURT_TIMEZONE)
        days = self.timeline.days
        self._empty_days = bytes(8 * days)
        # Per case: its hearings are contiguous in generation order.
        cases = self.scale.cases
        self.case_first_hearing = array("I", bytes(4 * cases))
        self.case_hearings = array("H", bytes(2 * cases))
        self.case_trial_day = array("i", [-1]) * cases
        self.first_hearing_id = gen.next_id[Hearing.__tablename__] + 1

    # --- resources and interpreters ---

    def add_resources_and_interpreters(self) -> None:
        """Rooms per court (weekdays 08:00-18:00) and interpreters per office."""
        gen, s, rng = self.gen, self.scale, self.rng
        per_kind = {
            ResourceKind.courtroom: s.courtrooms,
            ResourceKind.video_link_suite: s.video_suites,
            ResourceKind.remote_site: s.remote_sites,
            ResourceKind.waiting_room: s.waiting_rooms,
        }
        rows = []
        self.court_resources: list[dict[ResourceKind, list[int]]] = []
        for court, town in enumerate(gen.court_towns):
            kinds: dict[ResourceKind, list[int]] = {}
            for kind, n in per_kind.items():
                for k in range(n):
                    rid = gen.new_id(Resource)
                    kinds.setdefault(kind, []).append(rid)
                    location = ""
                    if kind is ResourceKind.remote_site:
                        place = REMOTE_PLACES[k % len(REMOTE_PLACES)]
                        location = place.format(n=rng.randint(2, 90), town=town)
                    rows.append(
                        dict(
                            id=rid,
                            court_id=gen.court_ids[court],
                            kind=kind,
                            name=RESOURCE_NAMES[kind].format(n=k + 1),
                            location=location,
                            opens_at=DAY_OPENS,
                            closes_at=DAY_CLOSES,
                            open_weekdays="12345",
                            is_active=True,
                        )
                    )
            self.court_resources.append(kinds)
        gen.write(Resource, rows)
        # Interpreters: each speaks one of the languages witnesses need, some a second one.
        needed = sorted({lang for lang, needs in gen.witness_languages.items() if needs})
        spoken = sorted(gen.witness_languages)
        rows = []
        self.interpreters: list[dict[str, list[int]]] = []
        for office in gen.offices:
            by_language: dict[str, list[int]] = {}
            for k in range(s.interpreters):
                iid = gen.new_id(Interpreter)
                languages = [needed[k % len(needed)]] if needed else [rng.choice(spoken)]
                if rng.random() < 0.3:
                    second = rng.choice(spoken)
                    if second not in languages:
                        languages.append(second)
                for language in languages:
                    by_language.setdefault(language, []).append(iid)
                rows.append(
                    dict(
                        id=iid,
                        organisation_id=office["id"],
                        name=gen.person(),
                        languages=languages,
                        email=f"interpreter.{k + 1:03d}.{office['slug']}@{gen.domain}",
                        is_active=True,
                    )
                )
            self.interpreters.append(by_language)
        gen.write(Interpreter, rows)
        gen.commit()

    # --- hearings ---

    def plan_paths(self) -> list[list[HearingType] | None]:
        """The hearing types of every case, in order, adding or removing trial days so that
        the total is exactly the number asked for."""
        gen, rng = self.gen, self.rng
        paths: list[list[HearingType] | None] = []
        eligible = []
        for c in range(self.scale.cases):
            status = gen.statuses[gen.case_status[c]]
            if status not in TRIAL_PLAN:  # still under investigation: nothing listed yet
                paths.append(None)
                continue
            _, sentencing, appeal = TRIAL_PLAN[status]
            path = [HearingType.first_appearance, HearingType.pre_trial_review]
            if rng.random() < 0.08:
                path.append(HearingType.other)  # a mention before trial
            path.append(HearingType.trial_day)
            if sentencing:
                path.append(HearingType.sentencing)
                if rng.random() < 0.04:
                    path.append(HearingType.parole_hearing)
            if appeal:
                path.append(HearingType.appeal)
            paths.append(path)
            eligible.append(c)
        if not eligible:
            return paths
        missing = self.scale.hearings - sum(len(p) for p in paths if p)
        if missing > 0:
            # Longer trials: trafficking cases with several complainants take weeks.
            weights = [
                3 if any(o.is_trafficking for o in gen.case_offences[c]) else 1 for c in eligible
            ]
            for c in rng.choices(eligible, weights, k=missing):
                path = paths[c]
                after_last_trial_day = len(path) - path[::-1].index(HearingType.trial_day)
                path.insert(after_last_trial_day, HearingType.trial_day)
        elif missing < 0:
            order = eligible[:]
            rng.shuffle(order)
            while missing < 0:
                for c in order:
                    path = paths[c]
                    if not path or missing == 0:
                        continue
                    if path.count(HearingType.trial_day) > 1:
                        path.remove(HearingType.trial_day)
                    else:
                        path.pop()
                    missing += 1
        return paths

    def add_hearings(self) -> None:
        """Hearings of every case that has reached court, over about two years around today."""
        gen, s = self.gen, self.scale
        paths = self.plan_paths()
        index = 0
        self.h_day = array("H")
        self.h_cell = bytearray()
        self.h_end = bytearray()
        self.h_type = bytearray()
        self.h_status = bytearray()
        self.h_anchor_day = array("H")
        self.h_anchor_cell = bytearray()
        for start in range(0, s.cases, s.chunk):
            hearings, changes = [], []
            for c in range(start, min(start + s.chunk, s.cases)):
                self.case_first_hearing[c] = index
                path = paths[c]
                if path:
                    self.plan_case_hearings(c, path, hearings, changes)
                    self.case_hearings[c] = len(path)
                    index += len(path)
                paths[c] = None
            gen.write(Hearing, hearings)
            gen.write(HearingChange, changes)
            gen.commit()
            gen.progress(len(hearings))

    def plan_case_hearings(self, c: int, path: list[HearingType], hearings, changes) -> None:
        gen, rng, tl = self.gen, self.rng, self.timeline
        status = gen.statuses[gen.case_status[c]]
        (low, high), _, _ = TRIAL_PLAN[status]
        trial = tl.weekday(tl.today + rng.randint(low, high))
        days: list[int] = []
        last_trial = None
        after = trial  # sentencing, appeal and parole count from the latest of these
        for htype in path:
            match htype:
                case HearingType.first_appearance:
                    day = tl.weekday(trial - rng.randint(90, 150))
                case HearingType.pre_trial_review:
                    day = tl.weekday(trial - rng.randint(20, 60))
                case HearingType.other:
                    day = tl.weekday(trial - rng.randint(5, 18))
                case HearingType.trial_day:
                    day = trial if last_trial is None else tl.add_weekdays(last_trial, 1)
                    last_trial = day
                    after = max(after, day)
                case _:
                    low_high = FOLLOW_UP_DAYS[htype]
                    day = tl.weekday(after + rng.randint(*low_high))
                    after = day
            days.append(day)
        self.case_trial_day[c] = trial
        case_id = gen.case_ids[c]
        court = gen.case_court[c]
        court_id = gen.court_ids[court]
        courtrooms = self.court_resources[court].get(ResourceKind.courtroom, [])
        opened = self.now - timedelta(days=gen.case_age[c])
        actor = gen.case_lead[c] or None
        for htype, day in zip(path, days, strict=True):
            starts, (d_low, d_high) = HEARING_TIMES[htype]
            cell = rng.choice(starts)
            end_cell = min(cell + rng.randint(d_low, d_high), CELLS - 2)
            start_dt, end_dt = tl.at(day, cell), tl.at(day, end_cell)
            anchor_day, anchor_cell = day, cell
            if end_dt < self.now:
                hstatus = HearingStatus.held if rng.random() < 0.93 else HearingStatus.vacated
            elif start_dt > self.now:
                roll = rng.random()
                hstatus = (
                    HearingStatus.listed
                    if roll < 0.88
                    else HearingStatus.moved
                    if roll < 0.96
                    else HearingStatus.vacated
                )
            else:
                hstatus = HearingStatus.listed
            hid = self.first_hearing_id + len(self.h_day)
            created = min(max(opened, start_dt - timedelta(days=rng.randint(14, 120))), self.now)
            updated = created
            if hstatus in (HearingStatus.moved, HearingStatus.vacated):
                if hstatus is HearingStatus.moved:
                    # The old listing: some weeks earlier or later, still in the future.
                    shift = rng.randint(5, 40) * rng.choice((-1, 1))
                    anchor_day = tl.weekday(max(day + shift, tl.today + 1))
                    anchor_cell = rng.choice(starts)
                    if anchor_day == day:
                        anchor_day = tl.add_weekdays(day, 3)
                from_start = tl.at(anchor_day, anchor_cell)
                from_end = from_start + (end_dt - start_dt)
                updated = gen.between(created, self.now)
                moved = hstatus is HearingStatus.moved
                changes.append(
                    dict(
                        id=gen.new_id(HearingChange),
                        hearing_id=hid,
                        changed_dt=updated,
                        actor_id=actor if rng.random() < 0.5 else None,
                        from_status=HearingStatus.listed,
                        to_status=hstatus,
                        from_start_dt=from_start,
                        from_end_dt=from_end,
                        to_start_dt=start_dt,
                        to_end_dt=end_dt,
                        reason=rng.choice(MOVE_REASONS if moved else VACATE_REASONS),
                    )
                )
            gen.next_id[Hearing.__tablename__] = hid
            hearings.append(
                dict(
                    id=hid,
                    case_id=case_id,
                    court_id=court_id,
                    type=htype,
                    courtroom_id=rng.choice(courtrooms) if courtrooms else None,
                    start_dt=start_dt,
                    end_dt=end_dt,
                    status=hstatus,
                    external_ref=f"L{hid:07d}" if rng.random() < 0.6 else None,
                    notes=rng.choice(HEARING_NOTES),
                    created_dt=created,
                    updated_dt=updated,
                )
            )
            self.h_day.append(day)
            self.h_cell.append(cell)
            self.h_end.append(end_cell)
            self.h_type.append(HEARING_TYPES.index(htype))
            self.h_status.append(HEARING_STATUSES.index(hstatus))
            self.h_anchor_day.append(anchor_day)
            self.h_anchor_cell.append(anchor_cell)

    # --- appointments and special measures ---

    def window(self, i: int) -> tuple[int, int]:
        """The days a witness can have appointments: from joining to a year ahead (to today
        once their case is closed or they withdrew)."""
        gen, tl = self.gen, self.timeline
        status = gen.statuses[gen.case_status[gen.witness_case[i]]]
        closed = status is CaseStatus.closed or gen.w_kind[i] == ord("x")
        hi = tl.today if closed else min(tl.today + BOOKED_AHEAD_DAYS, tl.days - 1)
        return min(gen.w_joined[i] + 1, hi), hi

    def add_appointments(self) -> None:
        """Appointments over witnesses in proportion to how long their file has been open,
        each with its staff and slots; special measures at trial hearings. Written in chunks."""
        gen, s, rng = self.gen, self.scale, self.rng
        self.user_masks: dict[int, array] = {}
        self.interpreter_masks: dict[int, array] = {}
        self.resource_masks: dict[int, array] = {}
        cumulative = array("d")
        total = 0.0
        for i in range(s.witnesses):
            lo, hi = self.window(i)
            weight = APPOINTMENT_WEIGHT[chr(gen.w_kind[i])] * (hi - lo + 1)
            total += weight * rng.uniform(0.4, 1.6)
            cumulative.append(total)
        # Rows wait converted for the driver (tuples of strings and numbers, not dicts).
        self.rows: dict[type, list] = {
            m: [] for m in (Appointment, AppointmentStaff, AppointmentSlot, SpecialMeasure)
        }
        self._converters: dict[type, tuple] = {}
        self.unplaced = 0
        previous = carry = 0
        for i in range(s.witnesses):
            due = round(s.appointments * cumulative[i] / total) if total else 0
            carry = self.plan_witness(i, due - previous + carry)
            previous = due
            # Fewer, bigger transactions: each commit waits for the disk.
            if len(self.rows[Appointment]) >= 4 * s.chunk:
                self.flush()
        self.unplaced = carry
        self.flush()
        del self.user_masks, self.interpreter_masks, self.resource_masks

    def add(self, model, row: dict) -> None:
        found = self._converters.get(model)
        if found is None:
            keys = tuple(row)
            found = self._converters[model] = (keys, self.gen.converter(model, keys))
        self.rows[model].append(found[1](row))

    def flush(self) -> None:
        written = len(self.rows[Appointment])
        for model, rows in self.rows.items():
            if rows:
                self.gen.write_converted(model, self._converters[model][0], rows)
            self.rows[model] = []  # the background writer still has the old list
        self.gen.commit()
        self.gen.progress(written)

    def _masks(self, masks: dict[int, array], key: int) -> array:
        found = masks.get(key)
        if found is None:
            found = masks[key] = array("Q", self._empty_days)
        return found

    def plan_witness(self, i: int, n: int) -> int:
        """Plan ``n`` appointments of witness ``i``; returns how many found no free time."""
        gen, rng = self.gen, self.rng
        letter = chr(gen.w_kind[i])
        c = gen.witness_case[i]
        office = gen.case_office(c)
        lo, hi = self.window(i)
        w = _Witness(
            id=gen.first_witness_id + i,
            case=c,
            office=office,
            court=gen.case_court[c],
            officer=gen.w_officer[i],
            workers=gen.w_workers.get(i, ()),
            language=gen.language_codes[gen.w_lang[i]] if gen.w_lang[i] != 255 else None,
            supervisor=rng.choice(gen.supervisors[office]),
            lo=lo,
            hi=hi,
            joined=gen.w_joined[i],
        )
        first = self.case_first_hearing[c]
        hearings = [
            h
            for h in range(first, first + self.case_hearings[c])
            if lo <= self.h_anchor_day[h] <= hi and self.h_day[h] >= lo
        ]
        rng.shuffle(hearings)
        # Evidence is given on trial days: those are the hearings a witness is taken to first.
        hearings.sort(key=lambda h: HEARING_TYPES[self.h_type[h]] is not HearingType.trial_day)
        trial = self.case_trial_day[c]
        # Familiarisation visits and pre-trial meetings come before the trial when there is one.
        w.before_trial = trial - 1 if lo + 5 <= trial <= hi else hi
        kinds, unlinked = _KIND_TABLES[letter]
        random = rng.random
        unplaced = 0
        for _ in range(max(n, 0)):
            kind = kinds[int(random() * len(kinds))]
            placed = False
            if kind in LINKED_KINDS:
                placed = self.place_linked(w, kind, hearings)
                if not placed:  # no hearing left to go to: another kind of support
                    kind = unlinked[int(random() * len(unlinked))]
            if not placed:
                # Days around a random one; if all are taken, any day of the window.
                placed = self.place_free(w, kind) or self.place_free(w, kind, w.hi - w.lo)
            unplaced += not placed
        if letter != "l":
            self.add_measures(w, letter)
        return unplaced

    def choose_staff(self, w: _Witness, kind: AppointmentKind) -> list[list[int]]:
        """Who attends, and who else could if they are busy: the witness's officer, their NGO
        worker, a supervisor of the office; all of them may see the witness."""
        rng = self.rng
        supervisor = w.supervisor
        if kind is A.counselling and w.workers:
            worker = rng.choice(w.workers)
            first = [worker, w.officer] if rng.random() < 0.2 else [worker]
            return [first, [worker], [w.officer]]
        first = [w.officer]
        roll = rng.random()
        if w.workers and roll < 0.3:
            first.append(rng.choice(w.workers))
        elif roll < 0.4:
            first.append(supervisor)
        return [first, [w.officer], [supervisor]]

    def _people_busy(self, w: _Witness, staff: Sequence[int], day: int) -> int:
        busy = w.days.get(day, 0)
        for uid in staff:
            masks = self.user_masks.get(uid)
            if masks is not None:
                busy |= masks[day]
        return busy

    def _free_of(self, masks: dict[int, array], ids: Sequence[int], day: int, want: int):
        for ident in ids:
            found = masks.get(ident)
            if found is None or not found[day] & want:
                return ident
        return None

    def _durations(self) -> tuple[int, int]:
        """(duration in cells, travel in minutes)."""
        random = self.rng.random
        return (
            _DURATION_TABLE[int(random() * len(_DURATION_TABLE))],
            _TRAVEL_TABLE[int(random() * len(_TRAVEL_TABLE))],
        )

    def place_linked(self, w: _Witness, kind: AppointmentKind, hearings: list[int]) -> bool:
        """Accompaniment to, or a video-link session for, one of the case's hearings the
        witness has no appointment for yet: from half an hour before the hearing starts."""
        rng = self.rng
        for tries, h in enumerate(list(hearings)):
            if tries >= 3:
                break
            if kind is A.video_link and HEARING_TYPES[self.h_type[h]] is not HearingType.trial_day:
                continue
            day, start = self.h_anchor_day[h], self.h_anchor_cell[h] - 2
            duration, travel = self._durations()
            duration = min(duration, CELLS - start)
            # Travel fits between opening time and the meeting time, and after the end.
            fits = [t for t in TRAVEL if _cells(t) <= min(start, CELLS - start - duration)]
            if travel not in fits:
                travel = fits[-1]
            travel_cells = _cells(travel)
            block = start - travel_cells
            want = ((1 << (duration + 2 * travel_cells)) - 1) << block
            vacated = HEARING_STATUSES[self.h_status[h]] is HearingStatus.vacated
            for staff in self.choose_staff(w, kind):
                if vacated or not self._people_busy(w, staff, day) & want:
                    break
            else:
                continue
            hearings.remove(h)
            rooms = self.court_resources[w.court]
            if kind is A.video_link:
                kinds = [ResourceKind.video_link_suite, ResourceKind.remote_site]
                if rng.random() < 0.3:
                    kinds.reverse()
            else:
                kinds = [ResourceKind.waiting_room] if rng.random() < 0.6 else []
            candidates = [r for k in kinds for r in rooms.get(k, [])]
            room_want = ((1 << duration) - 1) << start
            resource = self._free_of(self.resource_masks, candidates, day, room_want)
            if resource is None and kind is A.video_link:
                kind = A.accompaniment  # no suite free: the witness goes to court instead
            self.emit(w, kind, day, start, duration, travel, staff, resource, hearing=h)
            return True
        return False

    def place_free(self, w: _Witness, kind: AppointmentKind, probe: int = PROBE_DAYS) -> bool:
        """An appointment on a weekday of the witness's window when everyone is free,
        trying days around a random one."""
        rng, tl = self.rng, self.timeline
        hi = w.before_trial if kind in (A.familiarisation, A.pre_trial_meeting) else w.hi
        hi = max(hi, w.lo)
        duration, travel = self._durations()
        travel_cells = _cells(travel)
        length = duration + 2 * travel_cells
        wished = rng.randint(w.lo, hi)
        options = self.choose_staff(w, kind)
        for k in range(2 * probe + 1):
            day = wished + (k + 1) // 2 * (1 if k % 2 else -1)
            if not w.lo <= day <= hi or not tl.is_weekday[day]:
                continue
            for staff in options:
                runs = _run_starts(~self._people_busy(w, staff, day) & FULL_DAY, length)
                if not runs:
                    continue
                offset = rng.randint(0, CELLS - length)
                later = runs >> offset << offset
                block = ((later or runs) & -(later or runs)).bit_length() - 1
                start = block + travel_cells
                resource = None
                rooms = self.court_resources[w.court]
                kinds = []
                if kind is A.familiarisation:
                    kinds = [ResourceKind.courtroom, ResourceKind.waiting_room]
                elif kind is A.pre_trial_meeting and rng.random() < 0.6:
                    # Met at court, or with the prosecutor over the video link.
                    kinds = [ResourceKind.video_link_suite, ResourceKind.waiting_room]
                candidates = [r for k in kinds for r in rooms.get(k, [])]
                if candidates:
                    room_want = ((1 << duration) - 1) << start
                    resource = self._free_of(self.resource_masks, candidates, day, room_want)
                self.emit(w, kind, day, start, duration, travel, staff, resource)
                return True
        return False

    def emit(
        self,
        w: _Witness,
        kind: AppointmentKind,
        day: int,
        start_cell: int,
        duration: int,
        travel: int,
        staff: list[int],
        resource: int | None,
        hearing: int | None = None,
    ) -> None:
        """Write one appointment, its staff and (unless cancelled) its slots, and mark the
        time as taken."""
        gen, rng, tl = self.gen, self.rng, self.timeline
        start, end = tl.at(day, start_cell), tl.at(day, start_cell + duration)
        travel_cells = _cells(travel)
        people = ((1 << (duration + 2 * travel_cells)) - 1) << (start_cell - travel_cells)
        interpreter = language = None
        if w.language and (kind is not A.counselling or rng.random() < 0.5):
            candidates = self.interpreters[w.office].get(w.language, [])
            if len(candidates) > 1:  # start from any of them
                k = rng.randrange(len(candidates))
                candidates = candidates[k:] + candidates[:k]
            interpreter = self._free_of(self.interpreter_masks, candidates, day, people)
            language = w.language if interpreter is not None else None
        needs_reschedule = False
        reason = ""
        sequence = 0
        hearing_id = None
        if hearing is not None:
            hearing_id = self.first_hearing_id + hearing
            hstatus = HEARING_STATUSES[self.h_status[hearing]]
        if hearing is not None and hstatus is HearingStatus.vacated:
            status, reason, sequence = AppointmentStatus.cancelled, "The hearing was vacated.", 1
        elif hearing is not None and hstatus is HearingStatus.moved:
            # Still at the hearing's old time: flagged for the officer to move it.
            status, needs_reschedule = AppointmentStatus.scheduled, True
        elif rng.random() < 0.07:
            status, reason, sequence = AppointmentStatus.cancelled, rng.choice(CANCEL_REASONS), 1
        elif end < self.now:
            roll = rng.random()
            status = (
                AppointmentStatus.completed
                if roll < 0.95
                else AppointmentStatus.confirmed
                if roll < 0.97
                else AppointmentStatus.scheduled
            )
        else:
            status = (
                AppointmentStatus.scheduled if rng.random() < 0.65 else AppointmentStatus.confirmed
            )
        if status is not AppointmentStatus.cancelled and rng.random() < 0.08:
            reason, sequence = rng.choice(RESCHEDULE_REASONS), rng.randint(1, 2)
        holds = status is not AppointmentStatus.cancelled
        if holds:
            w.days[day] = w.days.get(day, 0) | people
            for uid in staff:
                self._masks(self.user_masks, uid)[day] |= people
            if interpreter is not None:
                self._masks(self.interpreter_masks, interpreter)[day] |= people
            if resource is not None:
                room = ((1 << duration) - 1) << start_cell
                self._masks(self.resource_masks, resource)[day] |= room
        created = start - rng.choice(BOOKED_BEFORE)
        created = min(max(created, tl.opens[w.joined]), self.now, start - CELL_TIMES[4])
        updated = created
        if status is AppointmentStatus.completed:
            updated = min(end + rng.choice(BOOKED_BEFORE) / 15, self.now)  # hours to 3 days
        elif status is not AppointmentStatus.scheduled or sequence:
            updated = gen.between(created, min(start, self.now))
        aid = gen.new_id(Appointment)
        office = gen.offices[w.office]
        if resource is not None:
            address = ""
        elif kind in (A.accompaniment, A.familiarisation):
            address = gen.court_addresses[w.court]
        elif kind is A.counselling and w.workers and staff[0] in w.workers:
            address = gen.worker_addresses[staff[0]]
        else:
            address = f"Prosecution Office {office['region']}, interview suite"
        self.add(
            Appointment,
            dict(
                id=aid,
                organisation_id=office["id"],
                witness_id=w.id,
                case_id=gen.case_ids[w.case],
                hearing_id=hearing_id,
                kind=kind,
                status=status,
                start_dt=start,
                end_dt=end,
                travel_minutes=travel,
                resource_id=resource,
                address=address,
                interpreter_id=interpreter,
                language=language,
                notes=rng.choice(APPOINTMENT_NOTES),
                needs_reschedule=needs_reschedule,
                status_reason=reason,
                ical_uid=self.ical_uid(aid),
                ical_sequence=sequence,
                created_by_id=w.officer if rng.random() < 0.9 else staff[0],
                created_dt=created,
                updated_dt=updated,
            ),
        )
        for uid in sorted(staff):
            self.add(AppointmentStaff, dict(appointment_id=aid, user_id=uid))
        if holds:
            slots = plan_slots(
                witness_id=w.id,
                staff_ids=staff,
                interpreter_id=interpreter,
                resource_id=resource,
                start=start,
                end=end,
                travel_minutes=travel,
            )
            for slot in slots:
                self.add(
                    AppointmentSlot,
                    dict(
                        id=gen.new_id(AppointmentSlot),
                        appointment_id=aid,
                        subject=slot.subject,
                        blocked_start_dt=slot.start,
                        blocked_end_dt=slot.end,
                    ),
                )

    def ical_uid(self, aid: int) -> str:
        """A UUIDv7-style UID: ordered by the appointment's id (so the unique index is built
        by appending), random below it; unique across batches (--force), which reuse the
        seed but not the ids."""
        random = self.rng.getrandbits(74)
        value = (
            (UID_EPOCH_MS + aid) << 80  # 48-bit time stamp
            | 0x7 << 76  # version 7
            | (random >> 62) << 64
            | 0b10 << 62  # RFC 4122 variant
            | random & ((1 << 62) - 1)
        )
        return str(uuid.UUID(int=value))

    def add_measures(self, w: _Witness, letter: str) -> None:
        """Special measures at about one trial hearing in ten of the witness's case: the
        standard ones for children and trafficking complainants, else one or two asked for."""
        gen, rng, tl = self.gen, self.rng, self.timeline
        first = self.case_first_hearing[w.case]
        trafficking = any(o.is_trafficking for o in gen.case_offences[w.case])
        for h in range(first, first + self.case_hearings[w.case]):
            if HEARING_TYPES[self.h_type[h]] is not HearingType.trial_day:
                continue
            if rng.random() >= MEASURE_SHARE:
                continue
            standard = True
            if letter in "cp":
                kinds = list(CHILD_STANDARD)
            elif letter != "w" and trafficking:
                kinds = list(TRAFFICKING_STANDARD)
            else:
                kinds, standard = rng.sample(OTHER_MEASURES, rng.choice((1, 2))), False
            if standard and w.language:
                kinds.append(MeasureKind.interpreter)
            hearing_start = tl.at(self.h_day[h], self.h_cell[h])
            for kind in kinds:
                proposed = hearing_start - timedelta(days=rng.uniform(40, 90))
                applied = proposed + timedelta(days=rng.uniform(3, 15))
                decided = applied + timedelta(days=rng.uniform(5, 20))
                roll = rng.random()
                if proposed > self.now:
                    proposed = self.now - timedelta(days=rng.uniform(1, 10))
                    status, applied, decided = MeasureStatus.proposed, None, None
                elif applied > self.now:
                    status, applied, decided = MeasureStatus.proposed, None, None
                elif decided > self.now:
                    status, decided = MeasureStatus.applied, None
                else:
                    status = (
                        MeasureStatus.granted
                        if roll < 0.8
                        else MeasureStatus.refused
                        if roll < 0.94
                        else MeasureStatus.withdrawn
                    )
                self.add(
                    SpecialMeasure,
                    dict(
                        id=gen.new_id(SpecialMeasure),
                        witness_id=w.id,
                        hearing_id=self.first_hearing_id + h,
                        kind=kind,
                        status=status,
                        is_standard=standard,
                        proposed_dt=proposed,
                        applied_dt=applied,
                        decided_dt=decided,
                        decision_note=MEASURE_NOTES.get(status, ""),
                        proposed_by_id=None if standard else w.officer,
                    ),
                )


@dataclass(slots=True)
class _Witness:
    """What planning one witness's appointments needs to know about them."""

    id: int
    case: int
    office: int
    court: int
    officer: int
    #: the supervisor who stands in when the officer is busy
    supervisor: int
    workers: tuple[int, ...]
    #: the language an interpreter is needed for, if any
    language: str | None
    #: first and last day (grid index) of their appointments
    lo: int
    hi: int
    joined: int
    #: last day for familiarisation visits and pre-trial meetings
    before_trial: int = 0
    #: the witness's own taken time, per day
    days: dict[int, int] = field(default_factory=dict)
