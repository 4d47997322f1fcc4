"""The words of letters after the trial (the impact statement, compensation, property, the case
closing: the ``posttrial`` part queues them) and of reminders before a date ("release-60",
"parole-7", "appeal-7": ``NotificationTask.reminder``)."""

from __future__ import annotations

from witness.core.i18n import gettext, ngettext
from witness.letters.words import Facts, Parts, money


def impact_statement_invitation(f: Facts) -> Parts:
    p = Parts(gettext("Telling the court how the crime affected you"))
    p.happened.append(
        gettext(
            "You can write a statement about how the crime has affected you: your health, "
            "your work, your family, your fears. This is called a victim impact statement."
        )
    )
    p.means.append(
        gettext(
            "The court reads it before it decides the sentence. You choose whether to write "
            "one, and what it says. You can write it in your own language."
        )
    )
    if f.date("deadline_date"):
        p.next.append(gettext("Please let us have it by %(date)s.", date=f.date("deadline_date")))
    p.next.append(gettext("%(officer)s can help you write it.", officer=f.officer))
    return p


def compensation_ordered(f: Facts) -> Parts:
    p = Parts(gettext("Compensation for you"))
    p.happened.append(
        gettext(
            "The court ordered %(defendant)s to pay you %(amount)s in compensation.",
            defendant=f.defendant,
            amount=money(f.values.get("amount"), f.text("currency"), f.locale)
            or gettext("compensation"),
        )
    )
    p.means.append(
        gettext(
            "The money is collected by the court and paid to you. It may come in several "
            "payments. You do not have to contact %(defendant)s about it.",
            defendant=f.defendant,
        )
    )
    p.next.append(gettext("We will write to you when payments are made."))
    return p


def compensation_payment(f: Facts) -> Parts:
    p = Parts(gettext("A compensation payment"))
    p.happened.append(
        gettext(
            "A payment of %(amount)s has been made to you on %(date)s.",
            amount=money(f.values.get("amount"), f.text("currency"), f.locale),
            date=f.date("payment_date") or f.date("effective_date"),
        )
    )
    outstanding = money(f.values.get("outstanding"), f.text("currency"), f.locale)
    if outstanding:
        p.means.append(gettext("%(amount)s is still to be paid.", amount=outstanding))
    return p


def property_return(f: Facts) -> Parts:
    p = Parts(gettext("Your belongings can be returned"))
    p.happened.append(
        gettext(
            "Belongings of yours that were kept as evidence can now be given back: %(item)s.",
            item=f.text("item") or gettext("see the list your officer has"),
        )
    )
    if f.date("return_date"):
        p.next.append(gettext("They can be returned from %(date)s.", date=f.date("return_date")))
    p.next.append(
        gettext(
            "Call %(officer)s to agree a safe way and place to get them back.",
            officer=f.officer,
        )
    )
    return p


def case_closed(f: Facts) -> Parts:
    p = Parts(gettext("Your case is now closed"))
    p.happened.append(
        gettext("Everything in the case has now been completed, and we are closing it.")
    )
    p.means.append(
        gettext(
            "If %(defendant)s is in prison, you can still be told about their release: "
            "tell %(officer)s if you want this.",
            defendant=f.defendant,
            officer=f.officer,
        )
    )
    p.next.append(gettext("Thank you for your courage. Support is still there for you."))
    return p


TEMPLATES = {
    "impact_statement_invitation": impact_statement_invitation,
    "compensation_ordered": compensation_ordered,
    "compensation_payment": compensation_payment,
    "property_return": property_return,
    "case_closed": case_closed,
}


def _days_before(reminder: str) -> int | None:
    _, _, days = reminder.rpartition("-")
    return int(days) if days.isascii() and days.isdigit() else None


def reminder(f: Facts, reminder: str, base: Parts) -> Parts:
    """A reminder before the date of ``base``'s event: "in 30 days" or "today"."""
    days = _days_before(reminder)
    topic = reminder.rpartition("-")[0]
    day = (
        {
            "release": f.date("release_date"),
            "parole": f.date("hearing_date"),
            "appeal": f.date("deadline_date"),
        }.get(topic)
        or f.date("release_date")
        or f.date("hearing_date")
        or f.date("deadline_date")
    )
    if days == 0:
        when = gettext("today, %(date)s", date=day)
    elif days is not None:
        when = ngettext(
            "in %(num)d day, on %(date)s", "in %(num)d days, on %(date)s", days, date=day
        )
    else:
        when = day
    p = Parts(gettext("A reminder: %(title)s", title=base.title), appeal=False, urgent=False)
    if topic == "appeal":
        p.happened.append(gettext("The last day to ask for an appeal is %(when)s.", when=when))
    elif topic == "parole":
        p.happened.append(
            gettext(
                "The parole hearing for %(defendant)s is %(when)s.",
                defendant=f.defendant,
                when=when,
            )
        )
    else:
        p.happened.append(
            gettext(
                "%(defendant)s is expected to be released %(when)s.",
                defendant=f.defendant,
                when=when,
            )
        )
    p.means = base.means
    p.next.append(
        gettext(
            "If you want to talk about your safety plan before then, call %(officer)s.",
            officer=f.officer,
        )
    )
    return p
