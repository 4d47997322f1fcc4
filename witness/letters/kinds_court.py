"""The words of letters about what the court decided: plea, verdict, sentence, discontinued,
appeals and a retrial. Each function takes the letter's ``Facts`` and returns its ``Parts``;
every string goes through gettext with named placeholders."""

from __future__ import annotations

from witness.core.i18n import gettext
from witness.letters.words import Facts, Parts, breach_line, duration, money, orders_lines

RESULTS = {
    "guilty": lambda: gettext("guilty"),
    "not_guilty": lambda: gettext("not guilty"),
    "no_verdict": lambda: gettext("no verdict (the jury could not agree)"),
}


def _result(facts: Facts) -> str:
    found = RESULTS.get(facts.text("result"))
    return found() if found else gettext("a decision")


def _charge(facts: Facts) -> str:
    return facts.text("charge") or gettext("the charge")


def plea(f: Facts) -> Parts:
    p = Parts(gettext("The plea in your case"))
    p.happened.append(
        gettext(
            "On %(date)s %(defendant)s told the court they are %(result)s of: %(charge)s.",
            date=f.date("effective_date"),
            defendant=f.defendant,
            result=_result(f),
            charge=_charge(f),
        )
    )
    if f.text("result") == "guilty":
        p.means.append(
            gettext("Because they admitted it, you may not have to give evidence on this charge.")
        )
    else:
        p.means.append(
            gettext("The case goes on to a trial. You may still be asked to give evidence.")
        )
    p.next.append(gettext("We will tell you what happens next, and when."))
    return p


def verdict(f: Facts) -> Parts:
    p = Parts(gettext("The verdict in your case"), appeal=True)
    p.happened.append(
        gettext(
            "On %(date)s the court found %(defendant)s %(result)s of: %(charge)s.",
            date=f.date("effective_date"),
            defendant=f.defendant,
            result=_result(f),
            charge=_charge(f),
        )
    )
    result = f.text("result")
    if result == "guilty":
        p.means.append(
            gettext("The court believed what happened to you. This is now a conviction.")
        )
        p.next.append(
            gettext(
                "The court will decide the sentence. You may write a statement about how the "
                "crime affected you, for the court to read before it decides."
            )
        )
    elif result == "not_guilty":
        p.means.append(
            gettext(
                "This does not mean that nobody believed you. The court must be sure before it "
                "can convict. You did nothing wrong by coming forward."
            )
        )
    else:
        p.means.append(gettext("The prosecutor will decide whether to hold a new trial."))
    return p


SENTENCE_KINDS = {
    "custody": lambda: gettext("prison"),
    "suspended_custody": lambda: gettext("a suspended prison sentence"),
    "community": lambda: gettext("a community order (work and rules to follow, not prison)"),
    "fine": lambda: gettext("a fine"),
    "discharge": lambda: gettext("a discharge (no further punishment)"),
    "hospital_order": lambda: gettext("a hospital order"),
}


def sentence(f: Facts) -> Parts:
    p = Parts(gettext("The sentence in your case"), appeal=True)
    kind = SENTENCE_KINDS.get(f.text("sentence_kind"), lambda: gettext("a sentence"))()
    length = duration(f.number("sentence_months"), f.number("sentence_days"), locale=f.locale)
    p.happened.append(
        gettext(
            "On %(date)s the court sentenced %(defendant)s to %(kind)s.",
            date=f.date("effective_date"),
            defendant=f.defendant,
            kind=kind,
        )
    )
    if f.number("sentence_months") or f.number("sentence_days"):
        p.happened.append(gettext("The length of the sentence is %(length)s.", length=length))
    if f.text("sentence_kind") == "suspended_custody":
        p.means.append(
            gettext(
                "Suspended means %(defendant)s does not go to prison now, but will if they "
                "commit another crime or break the rules in the next %(period)s.",
                defendant=f.defendant,
                period=duration(f.number("suspended_months"), locale=f.locale),
            )
        )
    if f.date("release_date"):
        p.means.append(
            gettext(
                "The earliest date %(defendant)s could be released is %(date)s. We will write "
                "to you before then.",
                defendant=f.defendant,
                date=f.date("release_date"),
            )
        )
    orders = orders_lines(f)
    if orders:
        p.means.append(gettext("The court also made these orders to protect you:"))
        p.means.extend(orders)
        p.means.append(breach_line(f))
    amount = money(f.values.get("compensation_amount"), f.text("compensation_currency"), f.locale)
    if amount:
        p.means.append(
            gettext(
                "The court ordered %(defendant)s to pay you %(amount)s in compensation. We will "
                "write to you about how it is paid.",
                defendant=f.defendant,
                amount=amount,
            )
        )
    return p


def discontinued(f: Facts) -> Parts:
    p = Parts(gettext("The case has stopped"))
    p.happened.append(
        gettext(
            "On %(date)s the case against %(defendant)s was stopped (discontinued).",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    p.means.append(
        gettext(
            "There will be no trial of %(defendant)s for this now. It does not mean that you "
            "were not believed.",
            defendant=f.defendant,
        )
    )
    p.next.append(
        gettext(
            "You have the right to ask for this decision to be looked at again (a review). "
            "Ask %(officer)s how, as soon as you can: there is a time limit.",
            officer=f.officer,
        )
    )
    return p


def appeal_lodged(f: Facts) -> Parts:
    p = Parts(gettext("An appeal has been made"))
    p.happened.append(
        gettext(
            "%(defendant)s has asked a higher court to look again at the case (an appeal), "
            "on %(date)s.",
            defendant=f.defendant,
            date=f.date("effective_date"),
        )
    )
    p.means.append(
        gettext("Until the appeal is decided, the verdict and the sentence still stand.")
    )
    if f.date("hearing_date"):
        p.next.append(gettext("The appeal will be heard on %(date)s.", date=f.date("hearing_date")))
    p.next.append(gettext("You will not normally need to give evidence again."))
    return p


def appeal_heard(f: Facts) -> Parts:
    p = Parts(gettext("The appeal has been heard"))
    p.happened.append(
        gettext(
            "The appeal of %(defendant)s was heard on %(date)s.",
            defendant=f.defendant,
            date=f.date("hearing_date") or f.date("effective_date"),
        )
    )
    p.next.append(gettext("We will write to you again when it has been decided."))
    return p


APPEAL_RESULTS = {
    "appeal_allowed": lambda: gettext("The appeal was allowed: the higher court agreed with it."),
    "appeal_dismissed": lambda: gettext(
        "The appeal was dismissed: the verdict and the sentence stay as they were."
    ),
    "sentence_varied": lambda: gettext("The sentence was changed."),
    "conviction_quashed": lambda: gettext("The conviction was overturned (quashed)."),
}


def appeal_decided(f: Facts) -> Parts:
    p = Parts(gettext("The appeal has been decided"))
    p.happened.append(
        gettext(
            "On %(date)s the court decided the appeal of %(defendant)s.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    found = APPEAL_RESULTS.get(f.text("result"))
    if found:
        p.happened.append(found())
    if f.number("sentence_months"):
        p.means.append(
            gettext(
                "The sentence is now %(length)s.",
                length=duration(
                    f.number("sentence_months"), f.number("sentence_days"), locale=f.locale
                ),
            )
        )
    if f.date("release_date"):
        p.means.append(
            gettext("The earliest release date is now %(date)s.", date=f.date("release_date"))
        )
    return p


def retrial_ordered(f: Facts) -> Parts:
    p = Parts(gettext("There will be a new trial"))
    p.happened.append(
        gettext(
            "On %(date)s a new trial of %(defendant)s was ordered.",
            date=f.date("effective_date"),
            defendant=f.defendant,
        )
    )
    p.means.append(
        gettext(
            "You may be asked to give evidence again. We will support you, as before, and "
            "ask what help you need."
        )
    )
    if f.date("hearing_date"):
        p.next.append(gettext("The new trial is due on %(date)s.", date=f.date("hearing_date")))
    return p


TEMPLATES = {
    "plea": plea,
    "verdict": verdict,
    "sentence": sentence,
    "discontinued": discontinued,
    "appeal_lodged": appeal_lodged,
    "appeal_heard": appeal_heard,
    "appeal_decided": appeal_decided,
    "retrial_ordered": retrial_ordered,
}
