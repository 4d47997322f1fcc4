"""Generated special measures (issue 4): at about one trial day in ten of a witness's case,
the standard measures for children and trafficking complainants (``witness.hearings.measures``)
or one or two asked for, proposed, applied for and decided as the dates allow."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from witness.bench.hearings import HEARING_TYPES
from witness.cases.models import HearingType
from witness.hearings.measures import CHILD_STANDARD, TRAFFICKING_STANDARD
from witness.hearings.models import MeasureKind, MeasureStatus, SpecialMeasure

if TYPE_CHECKING:
    from witness.bench.appointments import AppointmentGenerator, WitnessPlan

MEASURE_NOTES = {
    MeasureStatus.granted: "Granted by the judge at the pre-trial review.",
    MeasureStatus.refused: "Refused: the court found the witness able to give evidence in court.",
    MeasureStatus.withdrawn: "Withdrawn: the witness chose to give evidence in court.",
}
OTHER_MEASURES = (MeasureKind.screens, MeasureKind.support_person, MeasureKind.evidence_in_private)
#: share of trial hearings at which a witness of the case has special measures
MEASURE_SHARE = 0.10


def plan_measures(plan: AppointmentGenerator, w: WitnessPlan, letter: str) -> None:
    """Special measures at about one trial hearing in ten of the witness's case: the
    standard ones for children and trafficking complainants, else one or two asked for."""
    gen, rng, tl, now = plan.gen, plan.rng, plan.timeline, plan.now
    first = plan.case_first_hearing[w.case]
    trafficking = any(o.is_trafficking for o in gen.case_offences[w.case])
    for h in range(first, first + plan.case_hearings[w.case]):
        if HEARING_TYPES[plan.h_type[h]] is not HearingType.trial_day:
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
        hearing_start = tl.at(plan.h_day[h], plan.h_cell[h])
        for kind in kinds:
            proposed = hearing_start - timedelta(days=rng.uniform(40, 90))
            applied = proposed + timedelta(days=rng.uniform(3, 15))
            decided = applied + timedelta(days=rng.uniform(5, 20))
            roll = rng.random()
            if proposed > now:
                proposed = now - timedelta(days=rng.uniform(1, 10))
                status, applied, decided = MeasureStatus.proposed, None, None
            elif applied > now:
                status, applied, decided = MeasureStatus.proposed, None, None
            elif decided > now:
                status, decided = MeasureStatus.applied, None
            else:
                status = (
                    MeasureStatus.granted
                    if roll < 0.8
                    else MeasureStatus.refused
                    if roll < 0.94
                    else MeasureStatus.withdrawn
                )
            plan.add(
                SpecialMeasure,
                dict(
                    id=gen.new_id(SpecialMeasure),
                    witness_id=w.id,
                    hearing_id=plan.first_hearing_id + h,
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
