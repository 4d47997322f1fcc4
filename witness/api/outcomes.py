"""Outcome and custody events, for court and prison systems: post them to a case, or by a
defendant's custody number, and read them. A token scoped to case events
(``TokenScope.events``, a system account's) may use these endpoints and no other."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from witness.api.auth import api_user
from witness.api.blueprint import ApiBlueprint
from witness.api.common import committing, paginate
from witness.api.outcome_schemas import (
    CaseEventInput,
    CustodyEventInput,
    EventList,
    EventListArgs,
    EventPage,
    EventSchema,
)
from witness.api.problems import ApiProblem
from witness.cases.models import Case, Defendant
from witness.core.access_after import get_outcome_case, get_outcome_event
from witness.db import db_session
from witness.outcomes import queries, services

bp = ApiBlueprint(
    "api_outcomes",
    __name__,
    tag="Outcomes",
    events_scope=True,
    description="Outcome events (plea, verdict, sentence, appeal) and custody events (remand, "
    "bail, transfer, expected release date, release, escape, ...) of cases and defendants. "
    "Each event makes a notification task for every victim entitled to hear it. A token "
    "scoped to case events (a court's or prison's system account) may use only these.",
)

KINDS_TEXT = """
Each kind needs and takes its own fields (422 names the field otherwise): a plea or verdict
`charge` and `result`; a sentence `sentence_kind`, its length (`sentence_months`,
`sentence_days`) unless a fine or discharge, `suspended_months` when suspended, `orders`,
`compensation_amount` with `compensation_currency`, `release_date`; an expected release date
(`release_date_set`) `release_date`; remanded and bailed their `conditions`; transferred its
`institution`; a parole hearing its `hearing_date`; parole eligibility its `deadline_date`; an
appeal lodged its `deadline_date`/`hearing_date` when known. A verdict (or the case
discontinued) moves the case's witnesses to post-trial.

`source_system` (default: your organisation's name) with `external_id` makes the post
idempotent: the same post again answers 200 with the same event and changes nothing; the same
`external_id` with other content is a 409.
"""


def _source_system(data: dict) -> str:
    return data.pop("source_system", None) or api_user().organisation.name


def _post(posts: list[tuple[Case, Defendant | None, str | None]], data: dict):
    """Post one event per (case, defendant, external id), all committed together or none; a
    twin post saved at the same moment (a unique key clash) is answered as a repeat: the
    events it saved."""
    db, user = db_session(), api_user()
    for attempt in (1, 2):
        try:
            with committing(db, user, "outcome_event", posts[0][0]):
                return [
                    services.post_event(
                        db, user, case=case, defendant=defendant, external_id=ident, **dict(data)
                    )
                    for case, defendant, ident in posts
                ]
        except ApiProblem as problem:
            if problem.status != 409 or not any(p[2] for p in posts) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _kinds_text(view):
    """The rules of each kind, appended to an operation's text in the docs."""
    view.__doc__ += KINDS_TEXT
    return view


@bp.route("/cases/<int:case_id>/events")
class CaseEvents(MethodView):
    @bp.arguments(EventListArgs, location="query")
    @bp.response(200, EventPage)
    @bp.problems(403, 404)
    def get(self, args, case_id: int):
        """A case's events, newest first (corrections included: `supersedes_id`)."""
        db = db_session()
        case = get_outcome_case(db, api_user(), case_id)
        return paginate(db, queries.events_query(case.id), args["page"], args["per_page"])

    @bp.arguments(CaseEventInput)
    @bp.response(201, EventSchema)
    @bp.alt_response(200, schema=EventSchema, description="The same post again: the same event.")
    @bp.problems(403, 404, 409, 422)
    @_kinds_text
    def post(self, data, case_id: int):
        """Record an event of the case.

        Staff of the case's office who manage it and the office's system accounts.
        """
        db = db_session()
        case = get_outcome_case(db, api_user(), case_id)
        defendant_id = data.pop("defendant_id", None)
        defendant = next((d for d in case.defendants if d.id == defendant_id), None)
        if defendant_id is not None and defendant is None:
            raise ApiProblem(
                422,
                "That defendant is not in this case. Nothing was changed.",
                errors={"defendant_id": ["That defendant is not in this case."]},
            )
        data["source_system"] = _source_system(data)
        external_id = data.pop("external_id", None)
        [(event, created)] = _post([(case, defendant, external_id)], data)
        headers = {"Location": url_for("api_outcomes.event_item", event_id=event.id)}
        return event, (201 if created else 200), headers


@bp.route("/events/<int:event_id>", endpoint="event_item")
@bp.response(200, EventSchema)
@bp.problems(403, 404)
def event_item(event_id: int):
    """One event."""
    return get_outcome_event(db_session(), api_user(), event_id)


@bp.route("/custody-events", methods=["POST"])
@bp.arguments(CustodyEventInput)
@bp.response(201, EventList)
@bp.alt_response(200, schema=EventList, description="The same post again: the same events.")
@bp.problems(403, 409, 422)
@_kinds_text
def custody_events(data):
    """Record a custody event of a defendant named by their custody number.

    One event per defendant with that number in your office's cases (one person may be a
    defendant in several), each with its own tasks; with several, each event's external id is
    yours followed by `#<defendant id>`.
    """
    db, user = db_session(), api_user()
    number = data.pop("custody_number")
    defendants = queries.defendants_by_custody_number(db, user, number)
    if not defendants:
        raise ApiProblem(
            422,
            "No defendant in your office's cases has this custody number. Nothing was changed.",
            errors={"custody_number": ["Unknown custody number."]},
        )
    data["source_system"] = _source_system(data)
    external_id = data.pop("external_id", None)
    several = external_id and len(defendants) > 1
    posts = [(d.case, d, f"{external_id}#{d.id}" if several else external_id) for d in defendants]
    results = _post(posts, data)
    created = any(new for _, new in results)
    return {"items": [event for event, _ in results]}, (201 if created else 200)
