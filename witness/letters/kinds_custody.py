"""The words of letters about where the defendant is and when they come out: remand, bail,
transfer, parole, the expected release date, release, escape, recapture, deportation, death.
A prison is never named: "moved to another prison" is what the reader needs to know."""

from __future__ import annotations

from witness.core.i18n import gettext
from witness.letters.words import Facts, Parts, breach_line, orders_lines

EMERGENCY = "999"


def _conditions(f: Facts, p: Parts) -> None:
    """The conditions that protect the reader, and what to do if they are broken."""
    lines = orders_lines(f)
    if f.text("conditions"):
        lines.append(f.text("conditions"))
    if lines:
        p.means.append(
            gettext("These are the rules %(defendant)s must keep:", defendant=f.defendant)
        )
        p.means.extend(lines)
        p.means.append(breach_line(f))


def remanded(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s is being kept in custody", defendant=f.defendant))
    p.happened.append(
        gettext(
            "On %(date)s the court decided that %(defendant)s stays in custody (in prison) "
            "until the next hearing.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    p.means.append(
        gettext("%(defendant)s cannot come to find you while in custody.", defendant=f.defendant)
    )
    return p


def bailed(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s has been given bail", defendant=f.defendant))
    p.happened.append(
        gettext(
            "On %(date)s %(defendant)s was let out of custody until the next hearing (bail).",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    _conditions(f, p)
    p.next.append(
        gettext(
            "If you feel unsafe, tell %(officer)s now: we will look at your safety plan with you.",
            officer=f.officer,
        )
    )
    return p


def bail_varied(f: Facts) -> Parts:
    p = bailed(f)
    p.title = gettext("The bail rules for %(defendant)s have changed", defendant=f.defendant)
    p.happened[0] = gettext(
        "On %(date)s the rules %(defendant)s must keep while on bail were changed.",
        date=f.date("effective_date"),
        defendant=f.defendant,
    )
    return p


def transferred(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s has been moved", defendant=f.defendant))
    p.happened.append(
        gettext(
            "On %(date)s %(defendant)s was moved to another prison.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    p.means.append(gettext("This does not change the sentence or the release date."))
    if f.values.get("institution_needed") and f.text("institution"):
        p.means.append(
            gettext(
                "Because you need to know it for your safety, the prison is: %(place)s.",
                place=f.text("institution"),
            )
        )
    return p


def parole_eligible(f: Facts) -> Parts:
    p = Parts(gettext("Parole for %(defendant)s", defendant=f.defendant))
    p.happened.append(
        gettext(
            "%(defendant)s can ask to be released on parole from %(date)s.",
            defendant=f.defendant,
            date=f.date("deadline_date") or f.date("effective_date"),
        )
    )
    _statement_lines(f, p)
    return p


def _statement_lines(f: Facts, p: Parts) -> None:
    p.means.append(
        gettext(
            "You can tell the parole board how the crime affected you and what you fear "
            "(a victim personal statement). You can also ask for conditions, such as "
            "%(defendant)s not contacting you or not going to the area where you live.",
            defendant=f.defendant,
        )
    )
    p.next.append(
        gettext(
            "To make a statement, call %(officer)s. We will help you write it, in your "
            "language, and send it for you.",
            officer=f.officer,
        )
    )


def parole_hearing(f: Facts) -> Parts:
    p = Parts(gettext("A parole hearing for %(defendant)s", defendant=f.defendant))
    p.happened.append(
        gettext(
            "A parole hearing for %(defendant)s will take place on %(date)s.",
            defendant=f.defendant,
            date=f.date("hearing_date") or f.date("effective_date"),
        )
    )
    _statement_lines(f, p)
    return p


def release_date_set(f: Facts) -> Parts:
    p = Parts(gettext("When %(defendant)s may be released", defendant=f.defendant))
    p.happened.append(
        gettext(
            "%(defendant)s is expected to be released on %(date)s.",
            defendant=f.defendant,
            date=f.date("release_date") or f.date("effective_date"),
        )
    )
    p.means.append(
        gettext(
            "This is the expected date: the earliest day they may come out. It can still "
            "change, and we will tell you if it does."
        )
    )
    _conditions(f, p)
    p.next.append(
        gettext(
            "Before that day we will talk with you about your safety plan and any conditions "
            "you want on the release."
        )
    )
    return p


def released(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s has been released", defendant=f.defendant))
    p.happened.append(
        gettext(
            "%(defendant)s was released on %(date)s.",
            defendant=f.defendant,
            date=f.date("effective_date"),
        )
    )
    p.means.append(
        gettext(
            "%(defendant)s must keep the conditions of the release (licence).",
            defendant=f.defendant,
        )
    )
    _conditions(f, p)
    return p


def temporary_release(f: Facts) -> Parts:
    p = released(f)
    p.title = gettext("%(defendant)s is out of prison for a short time", defendant=f.defendant)
    p.happened[0] = gettext(
        "%(defendant)s has temporary release from %(date)s: they will go back to prison "
        "afterwards.",
        defendant=f.defendant,
        date=f.date("effective_date"),
    )
    return p


def _urgent(f: Facts, title: str, happened: str) -> Parts:
    p = Parts(title, urgent=True)
    p.happened.append(happened)
    p.means.append(
        gettext(
            "If you see %(defendant)s, go somewhere safe and call the police on %(emergency)s "
            "at once. Tell them you are a witness in the case.",
            defendant=f.defendant,
            emergency=EMERGENCY,
        )
    )
    p.means.append(
        gettext(
            "Keep to your safety plan. If you do not have one, or need a safe place to stay, "
            "call %(officer)s today.",
            officer=f.officer,
        )
    )
    p.next.append(
        gettext("We will tell you as soon as %(defendant)s is found.", defendant=f.defendant)
    )
    return p


def escaped(f: Facts) -> Parts:
    return _urgent(
        f,
        gettext("Urgent: %(defendant)s has escaped", defendant=f.defendant),
        gettext(
            "On %(date)s %(defendant)s escaped from custody.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        ),
    )


def absconded(f: Facts) -> Parts:
    return _urgent(
        f,
        gettext("Urgent: %(defendant)s is missing", defendant=f.defendant),
        gettext(
            "On %(date)s %(defendant)s broke the conditions of their release and cannot be found.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        ),
    )


def recaptured(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s is back in custody", defendant=f.defendant))
    p.happened.append(
        gettext(
            "On %(date)s %(defendant)s was found and is back in custody.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    return p


def deported(f: Facts) -> Parts:
    p = Parts(gettext("%(defendant)s has left the country", defendant=f.defendant))
    p.happened.append(
        gettext(
            "On %(date)s %(defendant)s was sent out of the country (deported).",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    p.means.append(gettext("Any order protecting you still applies if they come back."))
    return p


def died(f: Facts) -> Parts:
    p = Parts(gettext("News about %(defendant)s", defendant=f.defendant))
    p.happened.append(
        gettext(
            "We are writing to tell you that %(defendant)s died on %(date)s.",
            defendant=f.defendant,
            date=f.date("effective_date"),
        )
    )
    p.means.append(
        gettext(
            "News like this can bring up strong feelings. You can talk to %(officer)s or to "
            "the support services below.",
            officer=f.officer,
        )
    )
    return p


TEMPLATES = {
    "remanded": remanded,
    "bailed": bailed,
    "bail_varied": bail_varied,
    "transferred": transferred,
    "parole_eligible": parole_eligible,
    "parole_hearing": parole_hearing,
    "release_date_set": release_date_set,
    "released": released,
    "temporary_release": temporary_release,
    "escaped": escaped,
    "absconded": absconded,
    "recaptured": recaptured,
    "deported": deported,
    "died": died,
}
