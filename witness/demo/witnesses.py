"""The demo's witness files: identities, participation and phases, consents, assignments
and needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from witness.auth.models import User
from witness.cases.models import Case, CaseStatus, OffenceCategory
from witness.demo.base import DemoState
from witness.demo.roster import (
    GUARDIANS,
    LEGAL_AID,
    LOCALS,
    PHONES,
    SHELTER,
    STREETS,
    TOWNS,
    CaseSpec,
)
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
    REFLECTION_ENDING_SOON,
    SHARE_NOTE,
    SHARES_WITHDRAWN,
    STATUS_PATHS,
    WITHDRAW_PARTICIPATION_NOTE,
    WITHDRAW_SHARE_NOTE,
    WITHDRAWN_PATH,
    WITHDRAWN_REASON,
    Nationality,
)
from witness.people.models import (
    Channel,
    ConsentKind,
    NeedArea,
    Participation,
    ParticipationRole,
    Phase,
    Witness,
)
from witness.people.services import (
    add_participation,
    assign_staff,
    change_phase,
    create_witness,
    record_consent,
    record_need,
)


class WitnessSteps(DemoState):
    """Open the witness files case by case and give each the history of real use."""

    # --- witnesses ---

    def add_witnesses(self, cases: list[tuple[CaseSpec, Case]]) -> None:
        """Open the witness files case by case; a few also give evidence in a second case."""
        # Two files in three go to the first officer, the one whose sign-in is printed first.
        officers = [self.users["liaison"], self.users["liaison2"], self.users["liaison"]]
        eligible = []
        for spec, case in cases:
            for kind in spec.roster:
                officer = officers[self.counters["witness"] % len(officers)]
                witness = self.new_witness(spec, kind, officer)
                role = (
                    ParticipationRole.witness if kind == "w" else ParticipationRole.victim_witness
                )
                participation = self.join_case(witness, officer, case, role, kind)
                witness.created_dt = participation.created_dt - timedelta(hours=1)
                self.follow_up(witness, officer, participation, kind)
                if kind == "a" and case.status is not CaseStatus.closed:
                    eligible.append((witness, officer, spec, case))
        for witness, officer, spec, case in self.rng.sample(eligible, 8):
            others = [
                c
                for s, c in cases
                if s.court == spec.court and c is not case and c.status is not CaseStatus.closed
            ]
            other = self.rng.choice(others)
            participation = self.join_case(witness, officer, other, ParticipationRole.witness, "w")
            witness.created_dt = min(witness.created_dt, participation.created_dt)
            self.consent_to_participate(witness, officer, participation, "w")

    def new_witness(self, spec: CaseSpec, kind: str, officer: User) -> Witness:
        """Open one witness file with a fictional identity that fits the case."""
        rng = self.rng
        self.counters["witness"] += 1
        label = LOCALS[spec.court] if kind == "w" else rng.choice(spec.nationalities)
        nationality = NATIONALITIES[label]
        gender = self.gender(spec, kind)
        is_child = kind in "cp"
        fields = dict(
            reference=f"VW-{self.counters['witness']:03d}",
            legal_name=self.legal_name(nationality, gender),
            gender=gender,
            nationality=label,
            languages=list(nationality.languages),
            needs_interpreter=nationality.needs_interpreter,
            date_of_birth=self.birth_date(kind),
            is_presumed_child=kind == "p",
            phone=PHONES[spec.court].format(rng.randint(0, 999)) if rng.random() < 0.8 else None,
            address=self.address(spec.court) if rng.random() < 0.85 else None,
        )
        if not is_child and rng.random() < 0.6:
            given = fields["legal_name"].split()[-1 if nationality.family_first else 0]
            fields["email"] = f"{given.lower()}{rng.randint(10, 99)}@example.org"
        if is_child and (kind == "p" or rng.random() < 0.75):
            fields["guardian_name"], fields["guardian_contact"] = rng.choice(GUARDIANS[spec.court])
        return create_witness(self.session, officer, **fields)

    def gender(self, spec: CaseSpec, kind: str) -> str:
        """Mostly women in sexual exploitation and servitude cases, men in forced labour."""
        offences = set(spec.offences)
        female_share = 0.5
        if kind != "w" and offences & MOSTLY_WOMEN:
            female_share = 0.9
        elif kind != "w" and "trafficking_forced_labour" in offences:
            female_share = 0.2
        return "Female" if self.rng.random() < female_share else "Male"

    def legal_name(self, nationality: Nationality, gender: str) -> str:
        """A name not yet used in the demo, in the nationality's usual order."""
        while True:
            given = self.rng.choice(nationality.female if gender == "Female" else nationality.male)
            family = self.rng.choice(nationality.family)
            name = f"{family} {given}" if nationality.family_first else f"{given} {family}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def birth_date(self, kind: str) -> date | None:
        """Children are 13 to 17 today; a presumed child's age is not known."""
        if kind == "p":
            return None
        years = self.rng.uniform(13.2, 17.8) if kind == "c" else self.rng.uniform(19, 58)
        return self.today - timedelta(days=int(years * 365.25))

    def address(self, court: str) -> str:
        """An obviously fictional street address near the court."""
        return f"{self.rng.randint(1, 99)} {self.rng.choice(STREETS)}, {TOWNS[court]}"

    # --- participation and phases ---

    def join_case(
        self, witness: Witness, officer: User, case: Case, role: ParticipationRole, kind: str
    ) -> Participation:
        """Put the witness in the case and move them through the phases the case has reached."""
        path = _phase_path(case.status, kind)
        # The recovery and reflection period is for victims of trafficking.
        reflects = role is ParticipationRole.victim_witness and case.is_trafficking
        if path or not reflects:
            joined_days = max(self.case_age[case.id] - self.rng.randint(10, 45), 5)
            period = self.rng.choice(REFLECTION_DAYS) if reflects else 14
        else:
            joined_days, period = self.reflection_window()
        end_date = self.today + timedelta(days=period - joined_days) if reflects else None
        joined = self.days_ago(joined_days)
        participation = add_participation(
            self.session,
            officer,
            witness,
            case.id,
            role,
            self.rng.choice(JOIN_REASONS[role]),
            end_date,
        )
        participation.created_dt = joined
        participation.transitions[0].transition_dt = joined
        moves = self.spread(joined + timedelta(days=period), len(path))
        for phase, when in zip(path, moves, strict=True):
            withdrawn = kind == "x" and phase is Phase.closed
            reason = WITHDRAWN_REASON if withdrawn else self.rng.choice(MOVE_REASONS[phase])
            change_phase(self.session, officer, participation, phase, reason).transition_dt = when
        return participation

    def reflection_window(self) -> tuple[int, int]:
        """(days since joining, length of reflection) for a victim still reflecting."""
        self.counters["reflecting"] += 1
        n = self.counters["reflecting"]
        if n <= len(REFLECTION_ENDING_SOON):
            days_left = REFLECTION_ENDING_SOON[n - 1]
        else:
            days_left = self.rng.randint(18, 75)
        period = self.rng.choice([d for d in REFLECTION_DAYS if d > days_left + 5])
        return period - days_left, period

    def spread(self, start: datetime, count: int) -> list[datetime]:
        """``count`` instants from ``start`` to two days ago, evenly spaced."""
        end = self.now - timedelta(days=2)
        start = min(start, end - timedelta(days=count + 1))
        step = (end - start) / max(count, 1)
        return [start + step * k for k in range(count)]

    # --- consents, assignments and needs ---

    def follow_up(
        self,
        witness: Witness,
        officer: User,
        participation: Participation,
        kind: str,
    ) -> None:
        """Consents, NGO assignments and needs after the witness joined their case."""
        participates = self.consent_to_participate(witness, officer, participation, kind)
        shared = self.consent_to_share(witness, officer, participation, kind)
        if participates:
            self.consent_to_notify(witness, officer, participation.created_dt, shared)
        if self.rng.random() < 0.7:
            self.assess_needs(witness, officer, participation, kind, shared)

    def consent_to_participate(
        self, witness: Witness, officer: User, participation: Participation, kind: str
    ) -> bool:
        """Most decide at the end of reflection; some still reflecting have not decided yet."""
        transitions = participation.transitions
        if participation.phase is Phase.reflection:
            if kind == "l" or self.rng.random() < 0.7:
                return False
            when = self.between(participation.created_dt, self.now)
        else:
            when = transitions[1].transition_dt - timedelta(hours=2)
        consent = record_consent(
            self.session,
            officer,
            witness,
            ConsentKind.participate,
            True,
            case_id=participation.case_id,
            notes=self.rng.choice(PARTICIPATE_NOTES),
        )
        consent.recorded_dt = when
        if kind == "x":
            withdrawal = record_consent(
                self.session,
                officer,
                witness,
                ConsentKind.participate,
                False,
                case_id=participation.case_id,
                notes=WITHDRAW_PARTICIPATION_NOTE,
            )
            withdrawal.recorded_dt = transitions[-1].transition_dt - timedelta(hours=2)
            return False
        return True

    def consent_to_share(
        self, witness: Witness, officer: User, participation: Participation, kind: str
    ) -> list[User]:
        """Share with the shelter (children most often) or, for forced labour, the legal aid
        NGO; returns the NGO workers now assigned to the witness."""
        if kind == "w":
            return []
        case = participation.case
        chance = 0.85 if kind in "cp" else 0.45 if case.is_trafficking else 0.15
        since = participation.created_dt
        workers = []
        if self.rng.random() < chance:
            self.counters["shelter"] += 1
            n = self.counters["shelter"]
            granted = self.share(
                witness, officer, SHELTER, self.between(since, self.now), identity=n % 2 == 1
            )
            if n in SHARES_WITHDRAWN:
                withdrawn = self.between(granted, self.now)
                self.share(witness, officer, SHELTER, withdrawn, identity=False, granted=False)
            elif n % 3 != 0:
                workers.append(self.assign(witness, officer, self.users["ngo"], granted))
        labour = OffenceCategory.trafficking_forced_labour in case.offence_categories
        if labour and self.rng.random() < 0.4:
            granted = self.share(
                witness,
                officer,
                LEGAL_AID,
                self.between(since, self.now),
                identity=self.rng.random() < 0.5,
            )
            workers.append(self.assign(witness, officer, self.users["ngo2"], granted))
        return workers

    def share(
        self,
        witness: Witness,
        officer: User,
        org_name: str,
        when: datetime,
        *,
        identity: bool,
        granted: bool = True,
    ) -> datetime:
        """Record a sharing decision dated ``when``; returns ``when``."""
        consent = record_consent(
            self.session,
            officer,
            witness,
            ConsentKind.share,
            granted,
            organisation_id=self.orgs[org_name].id,
            includes_identity=identity,
            notes=SHARE_NOTE if granted else WITHDRAW_SHARE_NOTE,
        )
        consent.recorded_dt = when
        return when

    def assign(self, witness: Witness, officer: User, worker: User, since: datetime) -> User:
        """Assign an NGO worker the witness shares with; returns the worker."""
        assignment = assign_staff(self.session, officer, witness, worker.id)
        assignment.assigned_dt = self.between(since, self.now)
        return worker

    def consent_to_notify(
        self, witness: Witness, officer: User, since: datetime, workers: list[User]
    ) -> None:
        """One to three safe channels; through the NGO only for witnesses an NGO supports."""
        channels = []
        if witness.email and self.rng.random() < 0.7:
            channels.append(Channel.email)
        if witness.address and self.rng.random() < 0.5:
            channels.append(Channel.post)
        if workers and self.rng.random() < 0.7:
            channels.append(Channel.via_ngo)
        for channel in channels or [Channel.post if witness.address else Channel.phone]:
            consent = record_consent(
                self.session, officer, witness, ConsentKind.notify, True, channel=channel
            )
            consent.recorded_dt = self.between(since, self.now)

    def assess_needs(
        self,
        witness: Witness,
        officer: User,
        participation: Participation,
        kind: str,
        workers: list[User],
    ) -> None:
        """One or two needs; an NGO worker supporting the witness records some of them."""
        areas = self.need_areas(witness, kind, participation.case.is_trafficking)
        for area in self.rng.sample(areas, self.rng.choice((1, 1, 2))):
            if area is NeedArea.other and kind in "cp":
                notes = self.rng.choice(CHILD_NEED_NOTES)
            else:
                language = LANGUAGE_NAMES[witness.languages[0]]
                notes = self.rng.choice(NEED_NOTES[area]).format(language=language)
            actor = workers[0] if workers and self.rng.random() < 0.4 else officer
            need = record_need(self.session, actor, witness, area, notes, self.review_date())
            need.recorded_dt = self.between(participation.created_dt, self.now)

    def need_areas(self, witness: Witness, kind: str, trafficking: bool) -> list[NeedArea]:
        """The areas a witness of this kind plausibly needs help with."""
        areas = [NeedArea.transport, NeedArea.disability_medical]
        if witness.needs_interpreter:
            areas.append(NeedArea.language)
        if kind != "w":
            areas.append(NeedArea.intimidation)
        if kind in "cp" or (kind != "w" and trafficking):
            areas.append(NeedArea.other)
        if kind not in "cpw" and witness.gender == "Female":
            areas.append(NeedArea.childcare)
        return areas

    def review_date(self) -> date:
        """Every fifth need is due within a fortnight; a few are overdue."""
        self.counters["need"] += 1
        n = self.counters["need"]
        if n % 5 == 0:
            days = self.rng.randint(1, 14)
        elif n % 17 == 3:
            days = -self.rng.randint(2, 12)
        else:
            days = self.rng.randint(15, 120)
        return self.today + timedelta(days=days)


def _phase_path(status: CaseStatus, kind: str) -> list[Phase]:
    """The phases after reflection a witness of roster ``kind`` has reached in the case."""
    if kind == "l":
        return []
    if kind == "x":
        return WITHDRAWN_PATH
    return STATUS_PATHS[status]
