"""Generated witnesses: identities, participation and phase histories, consents,
assignments and needs, planned in chunks; kept compactly for the appointments
(``witness.bench.appointments``) and the ledger (``witness.bench.ledger``) that follow."""

from __future__ import annotations

import random
from array import array
from datetime import date, datetime, timedelta

from witness.bench.base import GeneratorBase
from witness.bench.vocabulary import KIND_WEIGHTS, VICTIM_NATIONALITIES
from witness.cases.models import OffenceCategory
from witness.core.crypto import email_index, phone_index
from witness.demo.vocabulary import (
    CHILD_NEED_NOTES,
    JOIN_REASONS,
    LANGUAGE_NAMES,
    MOSTLY_WOMEN,
    MOVE_REASONS,
    NATIONALITIES,
    NEED_NOTES,
    PARTICIPATE_NOTES,
    REFLECTION_DAYS,
    SHARE_NOTE,
    STATUS_PATHS,
    WITHDRAW_PARTICIPATION_NOTE,
    WITHDRAW_SHARE_NOTE,
    WITHDRAWN_PATH,
    WITHDRAWN_REASON,
)
from witness.people.models import (
    Assignment,
    Channel,
    Consent,
    ConsentKind,
    NeedArea,
    NeedsAssessment,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)

PHASES = list(Phase)
NEED_AREAS = list(NeedArea)


class WitnessSteps(GeneratorBase):
    """The witnesses' steps of the generator; the cases they join are planned before them
    (``_Generator.plan_cases``, ``add_cases``)."""

    def add_witnesses(self) -> None:
        """Every witness with their participations, consents, assignments and needs, in chunks."""
        s = self.scale
        # What planning appointments needs about each witness, kept compact.
        self.first_witness_id = self.next_id[Witness.__tablename__] + 1
        self.w_officer = array("I", bytes(4 * s.witnesses))
        self.w_kind = bytearray(s.witnesses)
        self.w_joined = array("H", bytes(2 * s.witnesses))
        #: index into language_codes of the language an interpreter is needed for; 255: none
        self.w_lang = bytearray(b"\xff") * s.witnesses
        self.w_workers: dict[int, tuple[int, ...]] = {}
        # For the ledger (``witness.bench.ledger``), compactly: each participation's witness
        # and phase history (timestamps and phases), linked per case from its latest; each
        # witness's needs assessments (ids and areas) from ``need_start[i]``.
        self.case_last_part = array("i", [-1]) * s.cases
        self.p_witness, self.p_before, self.p_history = array("I"), array("i"), array("I")
        self.history_ts, self.history_phase = array("d"), bytearray()
        self.need_start = array("I", bytes(4 * (s.witnesses + 1)))
        self.need_ids, self.need_areas = array("I"), bytearray()
        for start in range(0, s.witnesses, s.chunk):
            self.rows: dict[type, list[dict]] = {
                m: []
                for m in (
                    Witness,
                    Participation,
                    PhaseTransition,
                    Consent,
                    Assignment,
                    NeedsAssessment,
                )
            }
            end = min(start + s.chunk, s.witnesses)
            for i in range(start, end):
                self.plan_witness(i)
            for model, rows in self.rows.items():
                self.writer.write(model, rows)
            self.writer.commit()
            self.progress(end - start)

    def plan_witness(self, i: int) -> None:
        """Witness ``i``'s rows: identity, their case (and for a few a second one), consents,
        assignments and needs."""
        rng = self.rng
        c = self.witness_case[i]
        office = self.case_office(c)
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        officers = self.officers[office]
        officer = rng.choices(officers, cum_weights=self.officer_weights[office])[0]
        wid = self.new_id(Witness)
        offences = self.case_offences[c]
        label = "British" if kind == "w" else rng.choice(VICTIM_NATIONALITIES)
        nat = NATIONALITIES[label]
        gender = _gender(rng, offences, kind)
        given = rng.choice(nat.female if gender == "Female" else nat.male)
        family = rng.choice(nat.family)
        is_child = kind in "cp"
        witness = dict(
            id=wid,
            organisation_id=self.offices[office]["id"],
            reference=f"VW-{wid:06d}",
            legal_name=f"{family} {given}" if nat.family_first else f"{given} {family}",
            date_of_birth=self.birth_date(kind),
            phone=f"07700 9{rng.randint(0, 99999):05d}" if rng.random() < 0.8 else None,
            email=(
                f"{given.split()[0].lower()}{rng.randint(10, 9999)}@example.org"
                if not is_child and rng.random() < 0.6
                else None
            ),
            address=(
                f"{rng.randint(1, 199)} Example Street, Sample Town"
                if rng.random() < 0.85
                else None
            ),
            guardian_name=None,
            guardian_contact=None,
            gender=gender,
            nationality=label,
            languages=list(nat.languages),
            needs_interpreter=nat.needs_interpreter,
            is_presumed_child=kind == "p",
        )
        if is_child and (kind == "p" or rng.random() < 0.75):
            witness["guardian_name"] = f"{self.person()} (independent child trafficking guardian)"
            witness["guardian_contact"] = f"07700 9{rng.randint(0, 99999):05d}"
        # the blind indexes the ORM keeps (people.models.set_blind_indexes): rows written
        # here bypass it; the writer encrypts the values through their column types
        witness["email_index"] = email_index(witness["email"])
        witness["phone_index"] = phone_index(witness["phone"])
        role = ParticipationRole.witness if kind == "w" else ParticipationRole.victim_witness
        joined, transitions = self.join_case(wid, officer, c, role, kind)
        self.keep_participation(i, c, transitions)
        witness["created_dt"] = witness["updated_dt"] = joined - timedelta(hours=1)
        self.rows[Witness].append(witness)
        participates = self.consent_to_participate(wid, officer, c, kind, transitions)
        workers = self.consent_to_share(wid, officer, office, offences, kind, joined)
        if participates:
            self.consent_to_notify(wid, officer, witness, joined, workers)
        self.assign(wid, officer, office, joined, workers)
        self.remember(i, kind, officer, witness, joined, workers)
        if rng.random() < 0.7:
            needs = self.rows[NeedsAssessment]
            before = len(needs)
            self.assess_needs(wid, officer, witness, kind, offences, joined, workers)
            if self.scale.ledger_entries:
                for need in needs[before:]:
                    self.need_ids.append(need["id"])
                    self.need_areas.append(NEED_AREAS.index(need["area"]))
        self.need_start[i + 1] = len(self.need_ids)
        # Some victims also give evidence in a second case at the same court.
        if kind == "a" and rng.random() < 0.06:
            others = self.cases_by_court[self.case_court[c]]
            other = rng.choice(others)
            if other != c:
                _, more = self.join_case(wid, officer, other, ParticipationRole.witness, "w")
                self.keep_participation(i, other, more)
                self.consent_to_participate(wid, officer, other, "w", more)

    def keep_participation(self, i: int, c: int, transitions: list[dict]) -> None:
        """Keep what the ledger needs of witness ``i``'s participation in case ``c`` (see
        ``case_participations``)."""
        if not (self.scale.ledger_entries or self.scale.outcomes):
            return
        k = len(self.p_witness)
        self.p_witness.append(i)
        self.p_before.append(self.case_last_part[c])
        self.case_last_part[c] = k
        self.p_history.append(len(self.history_ts))
        for t in transitions:
            self.history_ts.append(t["transition_dt"].timestamp())
            self.history_phase.append(PHASES.index(t["to_phase"]))

    def case_participations(self, c: int) -> list[tuple]:
        """The ledger's view of case ``c``'s participations: (witness index, witness id,
        officer, office, joined, ended, (timestamp, phase, ...)), as timestamps; ended is when
        the participation closed, else now."""
        parts = []
        now = self.now.timestamp()
        office = self.case_office(c)
        k = self.case_last_part[c]
        while k >= 0:
            lo = self.p_history[k]
            hi = self.p_history[k + 1] if k + 1 < len(self.p_history) else len(self.history_ts)
            history: list = []
            for j in range(lo, hi):
                history += (self.history_ts[j], PHASES[self.history_phase[j]])
            ended = history[-2] if history[-1] is Phase.closed else now
            i = self.p_witness[k]
            wid = self.first_witness_id + i
            parts.append((i, wid, self.w_officer[i], office, history[0], ended, tuple(history)))
            k = self.p_before[k]
        parts.reverse()
        return parts

    def witness_needs(self, i: int) -> list[tuple[int, NeedArea]]:
        """Witness ``i``'s needs assessments as (id, area)."""
        return [
            (self.need_ids[j], NEED_AREAS[self.need_areas[j]])
            for j in range(self.need_start[i], self.need_start[i + 1])
        ]

    def remember(
        self, i: int, kind: str, officer: int, witness: dict, joined: datetime, workers: list
    ) -> None:
        """Keep what planning witness ``i``'s appointments needs
        (``witness.bench.appointments``)."""
        self.w_officer[i] = officer
        self.w_kind[i] = ord(kind)
        self.w_joined[i] = max(0, (joined.date() - self.timeline.base).days)
        if witness["needs_interpreter"]:
            self.w_lang[i] = self.language_codes.index(witness["languages"][0])
        if workers:
            self.w_workers[i] = tuple(sorted({worker for worker, _ in workers}))

    def birth_date(self, kind: str) -> date | None:
        """Children are 13 to 17 today; a presumed child's age is not known."""
        if kind == "p":
            return None
        years = self.rng.uniform(13.2, 17.8) if kind == "c" else self.rng.uniform(19, 62)
        return self.today - timedelta(days=int(years * 365.25))

    def join_case(
        self, wid: int, officer: int, c: int, role: ParticipationRole, kind: str
    ) -> tuple[datetime, list[dict]]:
        """Participation and its phase history: the path the case's status implies."""
        rng = self.rng
        status = self.statuses[self.case_status[c]]
        path = [] if kind == "l" else WITHDRAWN_PATH if kind == "x" else STATUS_PATHS[status]
        trafficking = any(o.is_trafficking for o in self.case_offences[c])
        reflects = role is ParticipationRole.victim_witness and trafficking
        age = self.case_age[c]
        if path or not reflects:
            joined_days = max(age - rng.randint(10, 45), 5)
            period = rng.choice(REFLECTION_DAYS) if reflects else 14
        else:
            # Still reflecting: most periods end in the coming weeks, a few have just ended.
            days_left = rng.randint(-6, 75)
            period = rng.choice([d for d in REFLECTION_DAYS if d > days_left + 5])
            joined_days = period - days_left
        joined = self.days_ago(joined_days)
        pid = self.new_id(Participation)
        self.rows[Participation].append(
            dict(
                id=pid,
                witness_id=wid,
                case_id=self.case_ids[c],
                role=role,
                phase=path[-1] if path else Phase.reflection,
                reflection_end_date=(
                    self.today + timedelta(days=period - joined_days) if reflects else None
                ),
                created_dt=joined,
            )
        )
        transitions = [
            dict(
                id=self.new_id(PhaseTransition),
                participation_id=pid,
                from_phase=None,
                to_phase=Phase.reflection,
                transition_dt=joined,
                actor_id=officer,
                reason=rng.choice(JOIN_REASONS[role]),
            )
        ]
        end = self.now - timedelta(days=2)
        start = min(joined + timedelta(days=period), end - timedelta(days=len(path) + 1))
        step = (end - start) / max(len(path), 1)
        previous = Phase.reflection
        for k, phase in enumerate(path):
            withdrawn = kind == "x" and phase is Phase.closed
            transitions.append(
                dict(
                    id=self.new_id(PhaseTransition),
                    participation_id=pid,
                    from_phase=previous,
                    to_phase=phase,
                    transition_dt=start + step * k,
                    actor_id=officer,
                    reason=WITHDRAWN_REASON if withdrawn else rng.choice(MOVE_REASONS[phase]),
                )
            )
            previous = phase
        self.rows[PhaseTransition].extend(transitions)
        return joined, transitions

    def consent(self, wid: int, officer: int, kind: ConsentKind, when: datetime, **kw) -> dict:
        """A consent row, granted and current unless ``kw`` says otherwise."""
        row = dict(
            id=self.new_id(Consent),
            witness_id=wid,
            kind=kind,
            case_id=None,
            organisation_id=None,
            includes_identity=False,
            channel=None,
            is_granted=True,
            is_current=True,
            recorded_dt=when,
            recorded_by_id=officer,
            notes="",
        )
        row.update(kw)
        self.rows[Consent].append(row)
        return row

    def consent_to_participate(
        self, wid: int, officer: int, c: int, kind: str, transitions: list[dict]
    ) -> bool:
        """Decided at the end of reflection; some still reflecting have not decided yet."""
        rng = self.rng
        case_id = self.case_ids[c]
        if len(transitions) == 1:
            if kind == "l" or rng.random() < 0.7:
                return False
            when = self.between(transitions[0]["transition_dt"], self.now)
        else:
            when = transitions[1]["transition_dt"] - timedelta(hours=2)
        granted = self.consent(
            wid,
            officer,
            ConsentKind.participate,
            when,
            case_id=case_id,
            notes=rng.choice(PARTICIPATE_NOTES),
        )
        if kind == "x":
            granted["is_current"] = False
            self.consent(
                wid,
                officer,
                ConsentKind.participate,
                transitions[-1]["transition_dt"] - timedelta(hours=2),
                case_id=case_id,
                is_granted=False,
                notes=WITHDRAW_PARTICIPATION_NOTE,
            )
            return False
        return True

    def consent_to_share(
        self, wid: int, officer: int, office: int, offences, kind: str, since: datetime
    ) -> list[tuple[int, datetime]]:
        """About a third share their file with a regional NGO (children most often), half of
        them with their identity; a few later withdraw. Returns (NGO worker, since) pairs."""
        if kind == "w":
            return []
        rng = self.rng
        trafficking = any(o.is_trafficking for o in offences)
        chance = 0.85 if kind in "cp" else 0.45 if trafficking else 0.15
        region = self.region_ngos[office]
        workers, chosen = [], set()
        if rng.random() < chance:
            support = [n for n in region if n["kind"] != "Legal Advice Centre"] or region
            ngo = rng.choice(support)
            chosen.add(ngo["id"])
            workers += self.share(wid, officer, ngo, since)
        labour = OffenceCategory.trafficking_forced_labour in offences
        if labour and rng.random() < 0.4:
            legal = [n for n in region if n["kind"] == "Legal Advice Centre"] or region
            ngo = rng.choice(legal)
            if ngo["id"] not in chosen:  # one decision per organisation
                workers += self.share(wid, officer, ngo, since)
        return workers

    def share(self, wid: int, officer: int, ngo: dict, since: datetime) -> list:
        """Sharing with ``ngo``, with or without identity; a few withdraw. Returns the NGO's
        worker assigned, if any, as [(worker, since)]."""
        rng = self.rng
        when = self.between(since, self.now)
        identity = rng.random() < 0.5
        granted = self.consent(
            wid,
            officer,
            ConsentKind.share,
            when,
            organisation_id=ngo["id"],
            includes_identity=identity,
            notes=SHARE_NOTE,
        )
        if rng.random() < 0.05:
            granted["is_current"] = False
            self.consent(
                wid,
                officer,
                ConsentKind.share,
                self.between(when, self.now),
                organisation_id=ngo["id"],
                is_granted=False,
                notes=WITHDRAW_SHARE_NOTE,
            )
            return []
        if rng.random() < 2 / 3:
            return [(rng.choice(ngo["workers"]), when)]
        return []

    def consent_to_notify(
        self, wid: int, officer: int, witness: dict, since: datetime, workers: list
    ) -> None:
        """The channels a witness taking part agreed to be told by: e-mail, post, through the
        NGO."""
        rng = self.rng
        channels = []
        if witness["email"] and rng.random() < 0.7:
            channels.append(Channel.email)
        if witness["address"] and rng.random() < 0.5:
            channels.append(Channel.post)
        if workers and rng.random() < 0.7:
            channels.append(Channel.via_ngo)
        for channel in channels or [Channel.post if witness["address"] else Channel.phone]:
            self.consent(
                wid, officer, ConsentKind.notify, self.between(since, self.now), channel=channel
            )

    def assign(self, wid: int, officer: int, office: int, joined: datetime, workers: list) -> None:
        """The current officer; one file in eight changed officer once; NGO workers."""
        rng = self.rng
        rows = self.rows[Assignment]
        since = joined
        supervisor = self.supervisors[office][0]
        officers = self.officers[office]
        if len(officers) > 1 and rng.random() < 0.125:
            before = rng.choice([o for o in officers if o != officer])
            since = self.between(joined, self.now)
            rows.append(
                dict(
                    id=self.new_id(Assignment),
                    witness_id=wid,
                    user_id=before,
                    assigned_dt=joined,
                    assigned_by_id=supervisor,
                    ended_dt=since,
                )
            )
        rows.append(
            dict(
                id=self.new_id(Assignment),
                witness_id=wid,
                user_id=officer,
                assigned_dt=since,
                assigned_by_id=supervisor if since is not joined else officer,
                ended_dt=None,
            )
        )
        for worker, shared in workers:
            rows.append(
                dict(
                    id=self.new_id(Assignment),
                    witness_id=wid,
                    user_id=worker,
                    assigned_dt=self.between(shared, self.now),
                    assigned_by_id=officer,
                    ended_dt=None,
                )
            )

    def assess_needs(
        self,
        wid: int,
        officer: int,
        witness: dict,
        kind: str,
        offences,
        joined: datetime,
        workers: list,
    ) -> None:
        """One or two needs; a fifth due within a fortnight, a few overdue, some met."""
        rng = self.rng
        trafficking = any(o.is_trafficking for o in offences)
        areas = [NeedArea.transport, NeedArea.disability_medical]
        if witness["needs_interpreter"]:
            areas.append(NeedArea.language)
        if kind != "w":
            areas.append(NeedArea.intimidation)
        if kind in "cp" or (kind != "w" and trafficking):
            areas.append(NeedArea.other)
        if kind not in "cpw" and witness["gender"] == "Female":
            areas.append(NeedArea.childcare)
        for area in rng.sample(areas, rng.choice((1, 1, 2))):
            if area is NeedArea.other and kind in "cp":
                notes = rng.choice(CHILD_NEED_NOTES)
            else:
                language = LANGUAGE_NAMES[witness["languages"][0]]
                notes = rng.choice(NEED_NOTES[area]).format(language=language)
            roll = rng.random()
            days = (
                rng.randint(1, 14)
                if roll < 0.2
                else -rng.randint(2, 12)
                if roll < 0.26
                else rng.randint(15, 120)
            )
            recorder = workers[0][0] if workers and rng.random() < 0.4 else officer
            self.rows[NeedsAssessment].append(
                dict(
                    id=self.new_id(NeedsAssessment),
                    witness_id=wid,
                    area=area,
                    notes=notes,
                    review_date=self.today + timedelta(days=days),
                    is_open=rng.random() < 0.85,
                    recorded_dt=self.between(joined, self.now),
                    recorded_by_id=recorder,
                )
            )


def _gender(rng: random.Random, offences, kind: str) -> str:
    """Mostly women in sexual exploitation and servitude cases, men in forced labour."""
    values = {o.value for o in offences}
    share = 0.5
    if kind != "w" and values & MOSTLY_WOMEN:
        share = 0.9
    elif kind != "w" and "trafficking_forced_labour" in values:
        share = 0.2
    return "Female" if rng.random() < share else "Male"
