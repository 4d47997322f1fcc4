"""Benchmark of the post (issues 13 and 14): a print batch of 1,000 letters against reportlab
alone, in English or (``mixed``) in turn in English, Thai, Vietnamese, Khmer, Indonesian and
Arabic.

``measure(letters=1000)`` migrates a scratch SQLite database (or the one given), adds an office,
a witness who wants news by post at a safe address, and then times

- **reportlab alone**: the same letters' words composed and laid out by reportlab's own
  paragraphs in the same fonts (``bench_floor``: nothing shaped, reordered or broken between
  Thai words), in memory, one PDF each (no database, no storage, no checks): the floor;
- **making the letters**: ``queue_letter`` for each (words, layout, hash, row, audit), one commit;
- **the print batch**: ``request_batch`` and the builder (delivery re-checked per letter, the
  stored PDFs verified and joined by ``concat.BatchPdf``, duplex padding, progress commits);
- **joining alone** (and the same with pypdf, the way before), to decide between joining the
  stored letters and laying every letter out again into one document (which costs at least
  reportlab alone);

and the builder's peak memory (``tracemalloc``, a second run of the same batch). Timing is
reported, never asserted. ``flask letters-bench [--mixed]`` prints the table.

Every language's catalogue is marked reviewed in the scratch database first (the review gate of
``letters.translations`` is a person's word, not something to time), so each letter is made from
its own catalogue."""

from __future__ import annotations

import io
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import click
from pypdf import PdfReader, PdfWriter
from sqlalchemy import update
from sqlalchemy.orm import Session

from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.core.i18n import in_language
from witness.letters import jobs, services, translations
from witness.letters.bench_floor import plain_letter
from witness.letters.content import TEMPLATES, compose
from witness.letters.layout import PAGE_HEIGHT, PAGE_WIDTH, Envelope, LetterMeta
from witness.letters.models import Letter, LetterStatus
from witness.notify.models import ContactPreference
from witness.people.models import Channel, Consent, ConsentKind, Witness

#: the facts every benchmark letter tells (each kind uses what it needs)
SAMPLE_FACTS = {
    "defendant": "John Smith",
    "officer_name": "Jo Bloggs",
    "effective_date": "2026-03-02",
    "result": "guilty",
    "charge": "Forced labour",
    "sentence_kind": "custody",
    "sentence_months": 54,
    "release_date": "2028-09-01",
    "hearing_date": "2027-05-10",
    "deadline_date": "2026-03-30",
    "orders": [{"kind": "no_contact", "until": "2031-01-01"}],
    "amount": "1500.00",
    "currency": "GBP",
}
TARGET = 2.0
#: the languages of ``--mixed``, in turn
MIXED = ("en", "th", "vi", "km", "id", "ar")


def _setup(session: Session) -> tuple[User, Witness]:
    office = Organisation(name="Bench office", kind=OrganisationKind.prosecution)
    session.add(office)
    session.flush()
    user = User(
        email="bench.supervisor@bench.example",
        name="Bench Supervisor",
        password_hash="!",
        role=Role.supervisor,
        organisation_id=office.id,
    )
    witness = Witness(organisation_id=office.id, reference="BENCH-1", legal_name="Mai Tran")
    session.add_all([user, witness])
    session.flush()
    session.add_all(
        [
            Consent(
                witness_id=witness.id,
                kind=ConsentKind.notify,
                channel=Channel.post,
                is_granted=True,
                recorded_by_id=user.id,
            ),
            ContactPreference(
                witness_id=witness.id,
                channels=["post"],
                postal_name="Mai Tran",
                postal_address="c/o Safe Harbour\n9 Quiet Road\nLeeds LS1 1AA",
                recorded_by_id=user.id,
            ),
        ]
    )
    for language in MIXED[1:]:
        for kind in TEMPLATES:
            translations.review_translation(session, user, kind, language, "Benchmark: not read")
    session.commit()
    return user, witness


def _kinds(count: int) -> list[str]:
    names = sorted(TEMPLATES)
    return [names[i % len(names)] for i in range(count)]


def _languages(count: int, mixed: bool) -> list[str]:
    return [MIXED[i % len(MIXED)] if mixed else "en" for i in range(count)]


def reportlab_alone(kinds: list[str], languages: list[str] | None = None) -> float:
    """Seconds to compose and lay out the letters with reportlab alone in memory: the floor."""
    envelope = Envelope(
        services.DEFAULT_RETURN_ADDRESS, "Mai Tran", "c/o Safe Harbour\n9 Quiet Road\nLeeds"
    )
    languages = languages or ["en"] * len(kinds)
    started = time.perf_counter()
    for number, (kind, language) in enumerate(zip(kinds, languages, strict=True), 1):
        meta = LetterMeta(
            f"L-{number:06d}", "2 March 2026", datetime(2026, 3, 2, tzinfo=UTC), language
        )
        with in_language(language):
            plain_letter(compose(kind, SAMPLE_FACTS), envelope, meta)
    return time.perf_counter() - started


def concatenation_alone(pdfs: list[bytes]) -> tuple[float, float]:
    """Seconds to join the stored letters as the builder does (``concat.BatchPdf``), and with
    pypdf (the builder's way until issue 14: it parsed every object of every letter)."""
    started = time.perf_counter()
    batch = jobs.new_batch_pdf()
    for pdf in pdfs:
        jobs.append_letter(batch, pdf)
    batch.getvalue()
    joined = time.perf_counter() - started
    started = time.perf_counter()
    writer = PdfWriter()
    for pdf in pdfs:
        reader = PdfReader(io.BytesIO(pdf))
        for page in reader.pages:
            writer.add_page(page)
        if len(reader.pages) % 2:
            writer.add_blank_page(PAGE_WIDTH, PAGE_HEIGHT)
    writer.write(io.BytesIO())
    return joined, time.perf_counter() - started


def _batch(session: Session, user: User) -> tuple[float, int]:
    started = time.perf_counter()
    batch = services.request_batch(session, user)
    session.commit()
    jobs.run_due(session)
    elapsed = time.perf_counter() - started
    session.refresh(batch)
    return elapsed, len(batch.pdf or b"")


def _make_letters(session, user, witness, kinds: list[str], languages: list[str]) -> float:
    started = time.perf_counter()
    for kind, language in zip(kinds, languages, strict=True):
        services.queue_letter(
            session, user, witness=witness, kind=kind, facts=SAMPLE_FACTS, language=language
        )
    session.commit()
    return time.perf_counter() - started


def measure(letters: int = 1000, database_url: str | None = None, mixed: bool = False) -> dict:
    """Time making and printing ``letters`` letters against reportlab alone (see above)."""
    from witness.factory import build_app
    from witness.migrate import upgrade

    scratch = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite:///{Path(scratch.name) / 'letters-bench.sqlite3'}"
    upgrade(url)
    app = build_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    kinds, languages = _kinds(letters), _languages(letters, mixed)
    with app.app_context():
        session = app.extensions["witness.db"].sessionmaker()
        user, witness = _setup(session)
        floor = reportlab_alone(kinds, languages)
        making = _make_letters(session, user, witness, kinds, languages)
        batch_s, size = _batch(session, user)
        pdfs = [letter.pdf for letter in session.query(Letter).order_by(Letter.id)]
        concat, with_pypdf = concatenation_alone(pdfs)
        session.execute(
            update(Letter).values(status=LetterStatus.queued, batch_id=None)
        )  # the same letters again, for the memory run
        session.commit()
        tracemalloc.start()
        _batch(session, user)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        session.close()
    app.extensions["witness.db"].engine.dispose()
    scratch.cleanup()
    total = making + batch_s
    return {
        "letters": letters,
        "languages": ", ".join(dict.fromkeys(languages)),
        "reportlab_alone_s": floor,
        "making_s": making,
        "batch_s": batch_s,
        "total_s": total,
        "ratio": total / floor,
        "target": TARGET,
        "concatenation_s": concat,
        "pypdf_s": with_pypdf,
        "batch_pdf_mb": size / 1e6,
        "batch_peak_mb": peak / 1e6,
    }


def table(figures: dict) -> str:
    f = figures
    rows = [
        ("reportlab alone (compose + lay out, in memory)", f["reportlab_alone_s"]),
        ("making the letters (queue_letter: layout, hash, row, audit)", f["making_s"]),
        ("the print batch (re-check, verify, concatenate, commit)", f["batch_s"]),
        ("Witness in all (making + batch)", f["total_s"]),
        ("joining the stored letters alone (concat.BatchPdf)", f["concatenation_s"]),
        ("the same with pypdf (the builder's way before issue 14)", f["pypdf_s"]),
    ]
    lines = [f"{f['letters']} letters in {f['languages']}"]
    lines += [f"  {name:<62} {seconds:8.2f} s" for name, seconds in rows]
    lines.append(f"  ratio Witness / reportlab alone: {f['ratio']:.2f} (target <= {f['target']})")
    lines.append(
        f"  batch PDF {f['batch_pdf_mb']:.1f} MB; builder peak memory "
        f"{f['batch_peak_mb']:.1f} MB (tracemalloc)"
    )
    return "\n".join(lines)


@click.command("letters-bench")
@click.option("--letters", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--database-url", default=None, help="A scratch database (default: temporary SQLite)."
)
@click.option("--mixed", is_flag=True, help="In turn in en, th, vi, km, id and ar.")
def letters_bench(letters: int, database_url: str | None, mixed: bool) -> None:
    """Time a print batch of N letters against reportlab alone on the same letters."""
    click.echo(table(measure(letters, database_url, mixed)))
