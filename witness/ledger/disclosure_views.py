"""Download the disclosure report of a case or a witness, as a PDF or a CSV (audited); a PDF too
big to lay out within a request is prepared in the background (see ``witness.ledger.exports``)
and downloaded from the reports page."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from witness.cases.models import Case
from witness.core.i18n import gettext
from witness.core.time import now_utc
from witness.core.web import csv_download, form_transaction, load_or_404, record_view
from witness.db import db_session
from witness.ledger import exports
from witness.ledger.models import ExportStatus
from witness.people.models import Witness

bp = Blueprint("disclosure", __name__)

MEDIA_TYPES = {"pdf": "application/pdf"}


def _filename(kind: str, reference: str, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-") or "unknown"
    return f"support-ledger-{kind}-{safe}-{now_utc():%Y-%m-%d}.{fmt}"


def _respond(body: bytes | str, fmt: str, filename: str) -> Response:
    if fmt == "csv":
        return csv_download(str(body), filename)
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _load(kind: str, scope_id: int) -> Case | Witness:
    """The case or witness if the user may see it; else the refusal is audited and 404."""
    return load_or_404(Case if kind == "case" else Witness, scope_id)


def _scope_args(scope: Case | Witness) -> tuple[str, dict]:
    if isinstance(scope, Case):
        return "case", {"case_id": scope.id}
    return "witness", {"witness_id": scope.id}


def _audit(scope: Case | Witness, fmt: str, **detail) -> None:
    """Every report handed out is audited (with whatever the request wrote: checkpoints)."""
    witness_id = scope.id if isinstance(scope, Witness) else None
    record_view("support.disclosure", scope, witness_id=witness_id, format=fmt, **detail)


def _too_big(scope: Case | Witness, size: int):
    """A PDF too big to lay out within the request: queued on POST (the ledger page's button),
    offered on the reports page on GET, so a click never waits minutes for a response."""
    endpoint, args = _scope_args(scope)
    if request.method == "POST":
        with form_transaction() as outcome:
            exports.request_export(db_session(), current_user, scope)
        if outcome.succeeded:
            flash(
                gettext(
                    "The report lists %(size)s entries, too many to prepare at once: it is being "
                    "prepared in the background and will be listed here when ready.",
                    size=format(size, ","),
                )
            )
    else:
        flash(
            gettext(
                "The report lists %(size)s entries, too many to prepare at once: prepare it in "
                "the background with the button below.",
                size=format(size, ","),
            )
        )
    return redirect(url_for(f"disclosure.{endpoint}_exports", **args), code=303)


def _report(kind: str, scope_id: int, fmt: str) -> Response:
    """The report at once: always the CSV; the PDF when it is small enough to lay out within
    the request (else ``_too_big``)."""
    db = db_session()
    scope = _load(kind, scope_id)
    if fmt == "csv":
        body: bytes | str = exports.build_csv(db, current_user, scope)
    else:
        size = exports.report_size(db, current_user, scope)
        if size > current_app.config["DISCLOSURE_INLINE_MAX"]:
            return _too_big(scope, size)
        body, _ = exports.build_pdf(db, current_user, scope, now_utc())
    _audit(scope, fmt)
    return _respond(body, fmt, _filename(kind, scope.reference, fmt))


def _exports_page(scope: Case | Witness, notice: str = "", status: int = 200):
    kind, args = _scope_args(scope)
    db, now = db_session(), now_utc()
    listed = exports.exports_for(db, current_user, scope)
    rate = exports.seconds_per_entry(db) if any(e.status in exports.PENDING for e in listed) else 0
    return (
        render_template(
            "ledger/disclosures.html",
            kind=kind,
            scope=scope,
            args=args,
            exports=listed,
            pending=any(e.status in exports.PENDING for e in listed),
            notice=notice,
            ExportStatus=ExportStatus,
            keep_days=exports.KEEP_FOR.days,
            eta={e.id: exports.eta_seconds(e, rate, now) for e in listed},
        ),
        status,
    )


@bp.route("/cases/<int:case_id>/ledger/disclosure.pdf", methods=["GET", "POST"])
def case_pdf(case_id: int):
    """The case's disclosure report: every entry for all its witnesses, with totals."""
    return _report("case", case_id, "pdf")


@bp.route("/cases/<int:case_id>/ledger/disclosure.csv")
def case_csv(case_id: int):
    """The same entries as the case's PDF, as CSV."""
    return _report("case", case_id, "csv")


@bp.route("/witnesses/<int:witness_id>/ledger/disclosure.pdf", methods=["GET", "POST"])
def witness_pdf(witness_id: int):
    """One witness's disclosure report, across their cases."""
    return _report("witness", witness_id, "pdf")


@bp.route("/witnesses/<int:witness_id>/ledger/disclosure.csv")
def witness_csv(witness_id: int):
    """The same entries as the witness's PDF, as CSV."""
    return _report("witness", witness_id, "csv")


@bp.route("/cases/<int:case_id>/ledger/disclosures")
def case_exports(case_id: int):
    """The user's disclosure reports of the case prepared in the background."""
    return _exports_page(_load("case", case_id))


@bp.route("/witnesses/<int:witness_id>/ledger/disclosures")
def witness_exports(witness_id: int):
    """The user's disclosure reports of the witness prepared in the background."""
    return _exports_page(_load("witness", witness_id))


@bp.route("/ledger/disclosures/<int:export_id>.pdf")
def download_export(export_id: int):
    """A report prepared in the background: its requester alone, while they may still see what
    it is of and until it expires."""
    export, scope = load_or_404(exports.get_export, export_id)
    if export.status is ExportStatus.expired:
        return _exports_page(
            scope,
            f"Report {export.id} has expired: reports are deleted "
            f"{exports.KEEP_FOR.days} days after they are prepared. Prepare a new one.",
            410,
        )
    if export.status is not ExportStatus.ready or export.content is None:
        return _exports_page(scope, f"Report {export.id} is not ready to download.", 409)
    _audit(scope, "pdf", export_id=export.id)
    kind, _ = _scope_args(scope)
    return _respond(export.content, "pdf", _filename(kind, scope.reference, "pdf"))
