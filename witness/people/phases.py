"""The phase rules of a participation: reflection → pre-trial → trial → post-trial → closed.

Allowed: forward one step; back from post-trial to trial (a retrial); to closed from any open
phase; and reopening a closed participation into the phase it was closed from. A verdict (or the
case discontinued) moves every open participation straight to post-trial (``after_verdict``).
"""

from __future__ import annotations

from witness.people.models import Phase

ORDER = [Phase.reflection, Phase.pre_trial, Phase.trial, Phase.post_trial, Phase.closed]


def allowed_targets(current: Phase, closed_from: Phase | None = None) -> list[Phase]:
    """The phases a participation in ``current`` may move to, in display order.

    ``closed_from`` is the phase held before the last close; reopening returns there.
    """
    if current is Phase.closed:
        return [closed_from or Phase.reflection]
    targets = []
    index = ORDER.index(current)
    if ORDER[index + 1] is not Phase.closed:
        targets.append(ORDER[index + 1])
    if current is Phase.post_trial:
        targets.append(Phase.trial)
    targets.append(Phase.closed)
    return targets


def is_allowed(
    current: Phase, target: Phase, closed_from: Phase | None = None, *, after_verdict: bool = False
) -> bool:
    """Whether the move is allowed; ``after_verdict``: the case has its verdict, so any open
    phase before post-trial may go straight there."""
    if after_verdict and target is Phase.post_trial and current in ORDER[:3]:
        return True
    return target in allowed_targets(current, closed_from)
