"""Download the disclosure report of a case or a witness, as a PDF or a CSV (audited)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort
from flask_login import current_user
from sqlalchemy import func, select

from witness.audit.services import record_event
from witness.cases.models import Case
from witness.core.access import get_case, get_witness, visible_witnesses
from witness.core.errors import NotFound
from witness.core.time import now_utc
from witness.db import db_session
from witness.ledger.disclosure import ReportHeading, disclosure_rows, render_csv, render_pdf
from witness.ledger.models import SupportItem
from witness.ledger.services import verify_chain
from witness.people.models import Witness

bp = Blueprint("disclosure", __name__)

MEDIA_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _filename(kind: str, reference: str, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-") or "unknown"
    return f"support-ledger-{kind}-{safe}-{now_utc():%Y-%m-%d}.{fmt}"


def _respond(body: bytes | str, fmt: str, filename: str) -> Response:
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _case_report(case_id: int, fmt: str) -> Response:
    db = db_session()
    try:
        case = get_case(db, current_user, case_id)
    except NotFound:
        db.commit()  # the refusal is audited
        abort(404)
    visible = visible_witnesses(current_user)
    rows = disclosure_rows(db, case_id=case.id, visible=visible)
    if fmt == "csv":
        body = render_csv(rows)
    else:
        status = verify_chain(db, case.id)
        shown = db.scalar(
            select(func.count(SupportItem.id))
            .join(Witness, Witness.id == SupportItem.witness_id)
            .where(SupportItem.case_id == case.id, visible)
        )
        note = ""
        if shown != status.entries and status.intact:
            note = (
                f"{status.entries - shown} entries of witnesses you may not see are left out "
                "of the table; the chain check covers the whole case."
            )
        heading = ReportHeading(
            subject=f"case {case.reference}",
            generated_by=current_user.name,
            generated_at=now_utc().astimezone(ZoneInfo(case.court.timezone)),
            chains=[(case.reference, status)],
            note=note,
        )
        body = render_pdf(heading, rows)
    record_event(db, current_user, "support.disclosure", case, format=fmt)
    db.commit()
    return _respond(body, fmt, _filename("case", case.reference, fmt))


def _witness_report(witness_id: int, fmt: str) -> Response:
    db = db_session()
    try:
        witness = get_witness(db, current_user, witness_id)
    except NotFound:
        db.commit()  # the refusal is audited
        abort(404)
    rows = disclosure_rows(db, witness_id=witness.id)
    if fmt == "csv":
        body = render_csv(rows)
    else:
        cases = db.execute(
            select(Case.id, Case.reference)
            .where(
                Case.id.in_(select(SupportItem.case_id).where(SupportItem.witness_id == witness.id))
            )
            .order_by(Case.id)
        ).all()
        heading = ReportHeading(
            subject=f"witness {witness.reference}",
            generated_by=current_user.name,
            generated_at=now_utc().astimezone(ZoneInfo(witness.timezone)),
            chains=[(reference, verify_chain(db, case_id)) for case_id, reference in cases],
        )
        body = render_pdf(heading, rows)
    record_event(db, current_user, "support.disclosure", witness, witness_id=witness.id, format=fmt)
    db.commit()
    return _respond(body, fmt, _filename("witness", witness.reference, fmt))


@bp.route("/cases/<int:case_id>/ledger/disclosure.pdf")
def case_pdf(case_id: int):
    """The case's disclosure report: every entry for all its witnesses, with totals."""
    return _case_report(case_id, "pdf")


@bp.route("/cases/<int:case_id>/ledger/disclosure.csv")
def case_csv(case_id: int):
    """The same entries as the case's PDF, as CSV."""
    return _case_report(case_id, "csv")


@bp.route("/witnesses/<int:witness_id>/ledger/disclosure.pdf")
def witness_pdf(witness_id: int):
    """One witness's disclosure report, across their cases."""
    return _witness_report(witness_id, "pdf")


@bp.route("/witnesses/<int:witness_id>/ledger/disclosure.csv")
def witness_csv(witness_id: int):
    """The same entries as the witness's PDF, as CSV."""
    return _witness_report(witness_id, "csv")
