"""Generated court resources, interpreters and hearings (issue 4).

Every case that has reached court gets its hearings (first appearance, pre-trial review, trial
days, sentencing, appeal...) over about two years around today, on the grid of
``witness.bench.grid``; some were moved or vacated, with their change recorded. What planning
appointments needs about them (day, time, type, status per hearing; each case's first hearing,
count and trial day) is kept compactly in arrays, written in chunks.
"""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from witness.bench.grid import CELLS, DAY_CLOSES, DAY_OPENS, Timeline
from witness.bench.vocabulary import COURT_TIMEZONE
from witness.cases.models import CaseStatus, Hearing, HearingChange, HearingStatus, HearingType
from witness.rooms.models import Resource, ResourceKind
from witness.scheduling.models import Interpreter

if TYPE_CHECKING:
    from witness.bench.generate import _Generator

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


class HearingGenerator:
    """Adds the courts' rooms, the offices' interpreters and the cases' hearings to a
    ``_Generator``'s plan; one method per kind of record."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.scale = gen.scale
        self.now = gen.now
        self.timeline = Timeline(gen.today, COURT_TIMEZONE)
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
        gen.writer.write(Resource, rows)
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
        gen.writer.write(Interpreter, rows)
        gen.writer.commit()

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
            gen.writer.write(Hearing, hearings)
            gen.writer.write(HearingChange, changes)
            gen.writer.commit()
            gen.progress(len(hearings))

    def plan_case_hearings(self, c: int, path: list[HearingType], hearings, changes) -> None:
        """Case ``c``'s hearings, of the types in ``path``: rows appended to ``hearings``, and
        to ``changes`` the listing change of each one moved or vacated."""
        gen, rng, tl = self.gen, self.rng, self.timeline
        status = gen.statuses[gen.case_status[c]]
        (low, high), _, _ = TRIAL_PLAN[status]
        trial = tl.weekday(tl.today + rng.randint(low, high))
        days = self.hearing_days(path, trial)
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
            hstatus = self.hearing_status(start_dt, end_dt)
            hid = self.first_hearing_id + len(self.h_day)
            created = min(max(opened, start_dt - timedelta(days=rng.randint(14, 120))), self.now)
            updated = created
            if hstatus in (HearingStatus.moved, HearingStatus.vacated):
                if hstatus is HearingStatus.moved:
                    anchor_day, anchor_cell = self.old_listing(day, starts)
                updated = gen.between(created, self.now)
                from_start = tl.at(anchor_day, anchor_cell)
                changes.append(
                    self.change_row(hid, hstatus, updated, actor, from_start, start_dt, end_dt)
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

    def hearing_days(self, path: list[HearingType], trial: int) -> list[int]:
        """The day of each hearing in ``path``: before the trial, consecutive trial days from
        ``trial``, and the later ones after the last trial day (or the hearing before)."""
        rng, tl = self.rng, self.timeline
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
        return days

    def hearing_status(self, start_dt: datetime, end_dt: datetime) -> HearingStatus:
        """Held (or vacated) in the past; listed, moved or vacated ahead."""
        rng = self.rng
        if end_dt < self.now:
            return HearingStatus.held if rng.random() < 0.93 else HearingStatus.vacated
        if start_dt > self.now:
            roll = rng.random()
            return (
                HearingStatus.listed
                if roll < 0.88
                else HearingStatus.moved
                if roll < 0.96
                else HearingStatus.vacated
            )
        return HearingStatus.listed

    def old_listing(self, day: int, starts: tuple[int, ...]) -> tuple[int, int]:
        """Where a moved hearing was listed before (day, cell): some weeks earlier or later,
        still in the future."""
        rng, tl = self.rng, self.timeline
        shift = rng.randint(5, 40) * rng.choice((-1, 1))
        anchor_day = tl.weekday(max(day + shift, tl.today + 1))
        anchor_cell = rng.choice(starts)
        if anchor_day == day:
            anchor_day = tl.add_weekdays(day, 3)
        return anchor_day, anchor_cell

    def change_row(
        self,
        hid: int,
        hstatus: HearingStatus,
        when: datetime,
        actor: int | None,
        from_start: datetime,
        start_dt: datetime,
        end_dt: datetime,
    ) -> dict:
        """The listing change that moved or vacated hearing ``hid``."""
        rng = self.rng
        moved = hstatus is HearingStatus.moved
        return dict(
            id=self.gen.new_id(HearingChange),
            hearing_id=hid,
            changed_dt=when,
            actor_id=actor if rng.random() < 0.5 else None,
            from_status=HearingStatus.listed,
            to_status=hstatus,
            from_start_dt=from_start,
            from_end_dt=from_start + (end_dt - start_dt),
            to_start_dt=start_dt,
            to_end_dt=end_dt,
            reason=rng.choice(MOVE_REASONS if moved else VACATE_REASONS),
        )
