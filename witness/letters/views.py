"""The letters pages: "Print letters" for an office (letters waiting, make a print batch, its
progress and PDF, mark posted), a letter (its attempts, download, posted, returned)."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from witness.core import access_after
from witness.core.errors import NotFound
from witness.core.i18n import gettext, language_name, reader
from witness.core.time import now_utc
from witness.core.web import form_transaction, load_or_404, record_view, refuse
from witness.db import db_session
from witness.letters import bp, jobs, queries, services, translations
from witness.letters.forms import ReturnedForm, ReviewForm, RevokeForm
from witness.letters.models import BatchStatus, Letter, LetterStatus, PrintBatch


def _printer() -> None:
    """The print room is an office's: its administrators, supervisors and officers."""
    if current_user.role not in access_after.PRINT_ROLES:
        refuse("print_batch.refused", object_type="print_batch")


def _pdf(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
def index():
    """Letters waiting for the next print batch, the batches, letters printed and posted."""
    _printer()
    db = db_session()
    return render_template(
        "letters/index.html",
        waiting=queries.waiting(db, current_user),
        waiting_count=queries.waiting_count(db, current_user),
        batches=queries.batches(db, current_user),
        sent=queries.sent(db, current_user),
        reference=services.reference,
    )


@bp.route("/batches", methods=["POST"])
def make_batch():
    """Queue a print batch of every letter waiting; the background builder lays it out."""
    _printer()
    with form_transaction(refusal="print_batch.refused") as outcome:
        batch = services.request_batch(db_session(), current_user)
    if not outcome.succeeded:
        return redirect(url_for("letters.index"))
    flash(
        gettext(
            "Print batch %(id)s of %(total)s letters is being made.", id=batch.id, total=batch.total
        )
    )
    return redirect(url_for("letters.batch", batch_id=batch.id))


def _progress(batch: PrintBatch) -> dict:
    return {
        "status": batch.status.value,
        "done": batch.done,
        "total": batch.total,
        "eta_seconds": jobs.eta_seconds(batch, now_utc()),
        "ready": batch.status is BatchStatus.ready,
    }


@bp.route("/batches/<int:batch_id>")
def batch(batch_id: int):
    batch = load_or_404(queries.get_print_batch, batch_id)
    building = batch.status in (BatchStatus.queued, BatchStatus.running)
    page = render_template(
        "letters/batch.html",
        batch=batch,
        progress=_progress(batch),
        letters=queries.batch_letters(db_session(), batch),
        reference=services.reference,
        building=building,
    )
    # while it is built, the page reloads itself (a header: no script needed)
    return page, 200, ({"Refresh": "3"} if building else {})


@bp.route("/batches/<int:batch_id>/progress")
def batch_progress(batch_id: int):
    """The batch's progress as JSON, for the page to refresh its bar."""
    return jsonify(_progress(load_or_404(queries.get_print_batch, batch_id)))


@bp.route("/batches/<int:batch_id>/letters.pdf")
def batch_pdf(batch_id: int):
    batch = load_or_404(queries.get_print_batch, batch_id)
    body = queries.batch_pdf(db_session(), batch)
    if batch.status is not BatchStatus.ready or not body:
        abort(404)
    record_view("print_batch.downloaded", batch)
    return _pdf(body, f"print-batch-{batch.id}.pdf")


@bp.route("/batches/<int:batch_id>/posted", methods=["POST"])
def batch_posted(batch_id: int):
    batch = load_or_404(queries.get_print_batch, batch_id)
    with form_transaction(refusal="print_batch.refused", obj=batch) as outcome:
        posted = services.post_batch(db_session(), current_user, batch)
    if outcome.succeeded:
        flash(gettext("%(posted)s letters marked posted.", posted=posted))
    return redirect(url_for("letters.batch", batch_id=batch.id))


def _letter_page(letter: Letter, form: ReturnedForm | None = None, status: int = 200):
    page = render_template(
        "letters/letter.html",
        letter=letter,
        reference=services.reference(letter),
        attempts=queries.attempts_of(db_session(), letter),
        can_post=access_after.can_post_letter(current_user, letter),
        form=form or ReturnedForm(),
        LetterStatus=LetterStatus,
    )
    return page, status


@bp.route("/<int:letter_id>")
def letter(letter_id: int):
    letter = load_or_404(Letter, letter_id)
    record_view("letter.viewed", letter, witness_id=letter.witness_id)
    return _letter_page(letter)


@bp.route("/<int:letter_id>/letter.pdf")
def letter_pdf(letter_id: int):
    """The letter exactly as made (audited); a stored PDF changed since is refused."""
    letter = load_or_404(Letter, letter_id)
    with form_transaction(obj=letter, witness_id=letter.witness_id) as outcome:
        body = services.reprint(db_session(), current_user, letter)
    if not outcome.succeeded:
        return _letter_page(letter, status=409)
    return _pdf(body, f"letter-{letter.id}.pdf")


@bp.route("/<int:letter_id>/posted", methods=["POST"])
def letter_posted(letter_id: int):
    letter = load_or_404(Letter, letter_id, access_after.can_post_letter)
    with form_transaction(obj=letter, witness_id=letter.witness_id) as outcome:
        services.post_letter(db_session(), current_user, letter)
    if outcome.succeeded:
        flash(gettext("Letter %(reference)s marked posted.", reference=services.reference(letter)))
    return redirect(url_for("letters.letter", letter_id=letter.id))


@bp.route("/<int:letter_id>/returned", methods=["POST"])
def letter_returned(letter_id: int):
    letter = load_or_404(Letter, letter_id, access_after.can_post_letter)
    form = ReturnedForm()
    if form.validate_on_submit():
        with form_transaction(form, obj=letter, witness_id=letter.witness_id):
            services.return_letter(db_session(), current_user, letter, form.reason.data)
        if form.succeeded:
            flash(
                gettext(
                    "Letter %(reference)s recorded as returned: its news goes by the witness's "
                    "next channel.",
                    reference=services.reference(letter),
                )
            )
            return redirect(url_for("letters.letter", letter_id=letter.id))
    return _letter_page(letter, form, status=400)


# --- reviewed translations ----------------------------------------------------------------------


def _translations_page(form: ReviewForm | None = None, status: int = 200):
    """Every kind in every language with a catalogue: reviewed (by whom, when) or not."""
    try:
        data = queries.translation_reviews(db_session(), current_user)
    except NotFound:
        refuse("translation.refused", object_type="translation_review")
    page = render_template(
        "letters/translations.html",
        **data,
        form=form or ReviewForm(),
        revoke_form=RevokeForm(),
        language_name=language_name,
        page_label=translations.page_label,
    )
    return page, status


@bp.route("/translations")
def translations_page():
    return _translations_page()


@bp.route("/translations/review", methods=["POST"])
def review():
    """Record that a person who reads the language checked one kind's translation."""
    form = ReviewForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="translation.refused"):
            translations.review_translation(
                db_session(), current_user, form.kind.data, form.language.data, form.note.data
            )
        if form.succeeded:
            flash(
                gettext(
                    "%(capitalize)s in %(language_name)s recorded as reviewed.",
                    capitalize=translations.kind_label(form.kind.data).capitalize(),
                    language_name=language_name(form.language.data, reader()),
                )
            )
            return redirect(url_for("letters.translations_page"))
    return _translations_page(form, status=400)


@bp.route("/translations/<int:review_id>/revoke", methods=["POST"])
def revoke(review_id: int):
    """Withdraw a review: letters of its kind in its language stop until reviewed again."""
    found = load_or_404(queries.get_review, review_id)
    form = RevokeForm()
    if form.validate_on_submit():
        with form_transaction(form, refusal="translation.refused", obj=found):
            translations.revoke_review(db_session(), current_user, found, form.reason.data)
        if form.succeeded:
            flash(gettext("The review was withdrawn."))
            return redirect(url_for("letters.translations_page"))
    return _translations_page(status=400)
