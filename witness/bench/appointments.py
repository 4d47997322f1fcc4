"""Generated appointments with their staff and slots (issue 4), witness by witness, each
witness's special measures (``witness.bench.measures``) planned with them.

An appointment is placed only where the witness, every member of staff, the interpreter and the
room are all free on the grid of ``witness.bench.grid`` (travel included for people), so the
generated slots are a valid schedule: no subject is ever in two places at once. Staff,
interpreter and room masks live for the whole run (a few kilobytes per subject); a witness's own
masks only while their appointments are planned. Rows are written in chunks.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from witness.bench.grid import (
    CELL_TIMES,
    CELLS,
    FULL_DAY,
    minutes_to_cells,
    run_starts,
    weighted_table,
)
from witness.bench.hearings import HEARING_STATUSES, HEARING_TYPES
from witness.bench.measures import plan_measures
from witness.cases.models import CaseStatus, HearingStatus, HearingType
from witness.hearings.models import SpecialMeasure
from witness.rooms.models import ResourceKind
from witness.scheduling.conflicts import plan_slots
from witness.scheduling.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStaff,
    AppointmentStatus,
)

if TYPE_CHECKING:
    from witness.bench.generate import _Generator
    from witness.bench.hearings import HearingGenerator

#: how far ahead a witness of an open case has appointments booked
BOOKED_AHEAD_DAYS = 365
#: weekdays either side of the wished-for day tried before an appointment is given up
PROBE_DAYS = 12

A = AppointmentKind
#: appointment kinds by the witness's roster letter (see vocabulary.KIND_WEIGHTS): those still
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


#: per letter: the kinds, then the kinds not tied to a hearing
_KIND_TABLES = {
    letter: (
        weighted_table(mix),
        weighted_table({k: v for k, v in mix.items() if k not in LINKED_KINDS}),
    )
    for letter, mix in KIND_MIX.items()
}
#: durations in quarter hours (1 to 3 hours) and travel in minutes (0 to 60), by weight
DURATIONS = {4: 26, 6: 22, 8: 24, 10: 14, 12: 14}
TRAVEL = {0: 24, 10: 6, 15: 14, 20: 12, 30: 18, 40: 8, 45: 8, 60: 10}
_DURATION_TABLE = weighted_table(DURATIONS)
_TRAVEL_TABLE = weighted_table(TRAVEL)
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


class AppointmentGenerator:
    """Adds the appointments and special measures to a ``_Generator``'s plan, around the
    hearings of a ``HearingGenerator``; one method per kind of record."""

    def __init__(self, gen: _Generator, hearings: HearingGenerator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.scale = gen.scale
        self.now = gen.now
        self.timeline = hearings.timeline
        self._empty_days = bytes(8 * self.timeline.days)
        # What the hearings left for the appointments to go to.
        self.court_resources = hearings.court_resources
        self.interpreters = hearings.interpreters
        self.first_hearing_id = hearings.first_hearing_id
        self.case_first_hearing = hearings.case_first_hearing
        self.case_hearings = hearings.case_hearings
        self.case_trial_day = hearings.case_trial_day
        self.h_day, self.h_cell = hearings.h_day, hearings.h_cell
        self.h_type, self.h_status = hearings.h_type, hearings.h_status
        self.h_anchor_day, self.h_anchor_cell = hearings.h_anchor_day, hearings.h_anchor_cell

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
        """A row of ``model``, converted at once for the driver (rows wait as tuples, not
        dicts)."""
        found = self._converters.get(model)
        if found is None:
            keys = tuple(row)
            found = self._converters[model] = (keys, self.gen.writer.converter(model, keys))
        self.rows[model].append(found[1](row))

    def flush(self) -> None:
        """Hand the rows planned so far to the writer and end the chunk."""
        written = len(self.rows[Appointment])
        for model, rows in self.rows.items():
            if rows:
                self.gen.writer.write_converted(model, self._converters[model][0], rows)
            self.rows[model] = []  # the background writer still has the old list
        self.gen.writer.commit()
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
        w = WitnessPlan(
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
            plan_measures(self, w, letter)
        return unplaced

    def choose_staff(self, w: WitnessPlan, kind: AppointmentKind) -> list[list[int]]:
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

    def _people_busy(self, w: WitnessPlan, staff: Sequence[int], day: int) -> int:
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

    def place_linked(self, w: WitnessPlan, kind: AppointmentKind, hearings: list[int]) -> bool:
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
            fits = [
                t for t in TRAVEL if minutes_to_cells(t) <= min(start, CELLS - start - duration)
            ]
            if travel not in fits:
                travel = fits[-1]
            travel_cells = minutes_to_cells(travel)
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

    def place_free(self, w: WitnessPlan, kind: AppointmentKind, probe: int = PROBE_DAYS) -> bool:
        """An appointment on a weekday of the witness's window when everyone is free,
        trying days around a random one."""
        rng, tl = self.rng, self.timeline
        hi = w.before_trial if kind in (A.familiarisation, A.pre_trial_meeting) else w.hi
        hi = max(hi, w.lo)
        duration, travel = self._durations()
        travel_cells = minutes_to_cells(travel)
        length = duration + 2 * travel_cells
        wished = rng.randint(w.lo, hi)
        options = self.choose_staff(w, kind)
        for k in range(2 * probe + 1):
            day = wished + (k + 1) // 2 * (1 if k % 2 else -1)
            if not w.lo <= day <= hi or not tl.is_weekday[day]:
                continue
            for staff in options:
                runs = run_starts(~self._people_busy(w, staff, day) & FULL_DAY, length)
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
        w: WitnessPlan,
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
        travel_cells = minutes_to_cells(travel)
        people = ((1 << (duration + 2 * travel_cells)) - 1) << (start_cell - travel_cells)
        interpreter, language = self._interpreter(w, kind, day, people)
        status, reason, sequence, needs_reschedule = self._status(hearing, end)
        holds = status is not AppointmentStatus.cancelled
        if holds:
            room = ((1 << duration) - 1) << start_cell
            self._take(w, day, people, staff, interpreter, resource, room)
        created, updated = self._booked(w, start, end, status, sequence)
        aid = gen.new_id(Appointment)
        office = gen.offices[w.office]
        self.add(
            Appointment,
            dict(
                id=aid,
                organisation_id=office["id"],
                witness_id=w.id,
                case_id=gen.case_ids[w.case],
                hearing_id=None if hearing is None else self.first_hearing_id + hearing,
                kind=kind,
                status=status,
                start_dt=start,
                end_dt=end,
                travel_minutes=travel,
                resource_id=resource,
                address=self._address(w, kind, staff, resource),
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

    def _interpreter(
        self, w: WitnessPlan, kind: AppointmentKind, day: int, people: int
    ) -> tuple[int | None, str | None]:
        """A free interpreter of the witness's language, if they need one, and the language."""
        rng = self.rng
        if not w.language or (kind is A.counselling and rng.random() >= 0.5):
            return None, None
        candidates = self.interpreters[w.office].get(w.language, [])
        if len(candidates) > 1:  # start from any of them
            k = rng.randrange(len(candidates))
            candidates = candidates[k:] + candidates[:k]
        interpreter = self._free_of(self.interpreter_masks, candidates, day, people)
        return interpreter, w.language if interpreter is not None else None

    def _status(
        self, hearing: int | None, end: datetime
    ) -> tuple[AppointmentStatus, str, int, bool]:
        """(status, its reason, the invite's sequence, needs rescheduling): what happened to
        the appointment, and to the hearing it serves."""
        rng = self.rng
        needs_reschedule = False
        reason = ""
        sequence = 0
        hstatus = None if hearing is None else HEARING_STATUSES[self.h_status[hearing]]
        if hstatus is HearingStatus.vacated:
            status, reason, sequence = AppointmentStatus.cancelled, "The hearing was vacated.", 1
        elif hstatus is HearingStatus.moved:
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
        return status, reason, sequence, needs_reschedule

    def _take(
        self,
        w: WitnessPlan,
        day: int,
        people: int,
        staff: list[int],
        interpreter: int | None,
        resource: int | None,
        room: int,
    ) -> None:
        """Mark the time as taken: ``people`` for the witness, staff and interpreter (travel
        included), ``room`` for the room."""
        w.days[day] = w.days.get(day, 0) | people
        for uid in staff:
            self._masks(self.user_masks, uid)[day] |= people
        if interpreter is not None:
            self._masks(self.interpreter_masks, interpreter)[day] |= people
        if resource is not None:
            self._masks(self.resource_masks, resource)[day] |= room

    def _booked(
        self,
        w: WitnessPlan,
        start: datetime,
        end: datetime,
        status: AppointmentStatus,
        sequence: int,
    ) -> tuple[datetime, datetime]:
        """When the appointment was booked, and last changed."""
        rng, tl = self.rng, self.timeline
        created = start - rng.choice(BOOKED_BEFORE)
        created = min(max(created, tl.opens[w.joined]), self.now, start - CELL_TIMES[4])
        updated = created
        if status is AppointmentStatus.completed:
            updated = min(end + rng.choice(BOOKED_BEFORE) / 15, self.now)  # hours to 3 days
        elif status is not AppointmentStatus.scheduled or sequence:
            updated = self.gen.between(created, min(start, self.now))
        return created, updated

    def _address(
        self, w: WitnessPlan, kind: AppointmentKind, staff: list[int], resource: int | None
    ) -> str:
        """Where it takes place when no room is booked: the court, the NGO, or the office."""
        gen = self.gen
        if resource is not None:
            return ""
        if kind in (A.accompaniment, A.familiarisation):
            return gen.court_addresses[w.court]
        if kind is A.counselling and w.workers and staff[0] in w.workers:
            return gen.worker_addresses[staff[0]]
        return f"Prosecution Office {gen.offices[w.office]['region']}, interview suite"

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


@dataclass(slots=True)
class WitnessPlan:
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
