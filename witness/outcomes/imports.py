"""A prison's release list, imported from CSV (the page and ``flask import-release-list``).

Columns (a header row, in any order): ``custody_number``, ``kind`` (a custody event:
release_date_set, released, transferred, ...), ``date`` (when it took effect, YYYY-MM-DD),
and as the kind needs them ``release_date``, ``institution``, ``conditions``; ``external_id``
when the prison gives one, else the row's hash stands in for it. Each row becomes an event per
defendant with that custody number in the importer's office's cases.

A dry run plans every row (what it would create; which rows are errors, and why) and writes
nothing. The real import posts the rows that are not errors in the caller's one transaction
(``services.post_event``, so each victim gets a task); the same file again changes nothing
(idempotent by source + external id or row hash). The file is refused whole, with a message,
when it is not UTF-8 CSV, has unknown or missing columns, or is too long.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from witness.auth.models import Role, User
from witness.core.errors import AccessDenied, DomainError
from witness.core.i18n import gettext
from witness.core.text import clean_text
from witness.outcomes import rules, services
from witness.outcomes.models import EventCategory, EventKind, EventSource
from witness.outcomes.queries import defendants_by_custody_number, posted_event

REQUIRED = ("custody_number", "kind", "date")
OPTIONAL = ("release_date", "institution", "conditions", "external_id")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
#: who may import: supervisors and administrators (and a prison's system account, by API)
IMPORTERS = frozenset({Role.admin, Role.supervisor, Role.system})
CUSTODY_KINDS = tuple(k for k in EventKind if k.category is EventCategory.custody)


@dataclass
class RowResult:
    """What one row will do (dry run) or did: ``action`` is "create", "unchanged" or "error"."""

    line: int
    custody_number: str
    kind: str
    date: str
    action: str = "create"
    detail: str = ""
    errors: list[str] = field(default_factory=list)
    plans: list[tuple] = field(default_factory=list)


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def errors(self) -> int:
        return self.count("error")


def read_rows(data: bytes) -> list[tuple[int, dict[str, str], bool]]:
    """The rows of a release list as (line, column → text, whether it has more values than
    columns); a ``DomainError`` on ``file`` for a file that cannot be read as one."""
    if len(data) > MAX_BYTES:
        raise DomainError(
            gettext("The file is larger than %(value)s MB.", value=MAX_BYTES // 1024 // 1024),
            "file",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            gettext("The file is not UTF-8 text: save it as 'CSV UTF-8' and import it again."),
            "file",
        ) from exc
    if "\x00" in text:
        raise DomainError(
            gettext("The file holds NUL characters: it is not a CSV text file."), "file"
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
        if missing or unknown or len(set(header)) != len(header):
            raise DomainError(_header_problem(missing, unknown), "file")
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    gettext("Import at most %(MAX_ROWS)s rows at a time.", MAX_ROWS=MAX_ROWS),
                    "file",
                )
            row = dict(zip(header, values + [""] * len(header), strict=False))
            rows.append((reader.line_num, row, len(values) > len(header)))
    except csv.Error as exc:
        raise DomainError(
            gettext("The file is not valid CSV near line %(line_num)s.", line_num=reader.line_num),
            "file",
        ) from exc
    return rows


def _header_problem(missing, unknown) -> str:
    if missing:
        return (
            f"The first row must name the columns; missing: {', '.join(missing)}. "
            f"Expected: {', '.join(REQUIRED + OPTIONAL)}."
        )
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:5])
        return f"Unknown columns: {shown}. Expected: {', '.join(REQUIRED + OPTIONAL)}."
    return "A column is named twice."


def row_id(row: dict[str, str]) -> str:
    """The row's own id: its ``external_id``, else a hash of what it says."""
    given = (row.get("external_id") or "").strip()
    if given:
        return given
    said = "\x1f".join((row.get(c) or "").strip() for c in REQUIRED + OPTIONAL[:3])
    return "row-" + hashlib.sha256(said.encode("utf-8")).hexdigest()[:32]


def _plan_row(
    session: Session, actor: User, source: str, line: int, row: dict, too_long: bool
) -> RowResult:
    number = (row.get("custody_number") or "").strip()
    result = RowResult(
        line, number[:40], (row.get("kind") or "").strip()[:40], (row.get("date") or "")[:20]
    )
    if too_long:
        result.errors.append("The row has more values than the header has columns.")
        return result
    kind = next((k for k in CUSTODY_KINDS if k.value == result.kind), None)
    if kind is None:
        result.errors.append(
            f"Unknown kind {result.kind!r}: use one of {', '.join(k.value for k in CUSTODY_KINDS)}."
        )
    try:
        effective = rules.read_date(row.get("date") or "", "date")
    except DomainError as exc:
        result.errors.append(f"Bad date {result.date[:20]!r}: {exc.message}")
        effective = None
    defendants = defendants_by_custody_number(session, actor, number) if number else []
    if not defendants:
        result.errors.append(f"Unknown custody number {number[:40]!r}.")
    if result.errors:
        return result
    fields = {c: row.get(c, "") for c in OPTIONAL[:3]}
    try:
        columns = rules.event_columns(kind, effective, fields)
        external = clean_text(row_id(row), "external_id", max_length=110)
    except DomainError as exc:
        result.errors.append(f"{exc.field or 'row'}: {exc.message}")
        return result
    for defendant in defendants:
        ident = external if len(defendants) == 1 else f"{external}#{defendant.id}"
        result.plans.append((defendant, kind, effective, fields, ident))
        earlier = posted_event(session, source, ident)
        if earlier is not None and not _same(earlier, defendant, kind, effective, columns):
            result.errors.append(
                f"{source} already sent {ident!r} with other content: correct the event instead."
            )
    if not result.errors and all(posted_event(session, source, p[4]) for p in result.plans):
        result.action = "unchanged"
    names = ", ".join(f"{d.name} ({d.case.reference})" for d in defendants)
    result.detail = f"{kind.label} on {effective:%d %b %Y} for {names}"
    if columns.get("release_date"):
        result.detail += f": release {columns['release_date']:%d %b %Y}"
    return result


def _same(event, defendant, kind, effective, columns) -> bool:
    return (
        event.defendant_id == defendant.id
        and (event.kind, event.effective_date, event.source)
        == (kind, effective, EventSource.prison)
        and rules.same_columns(event, columns)
    )


def import_release_list(
    session: Session, actor: User, data: bytes, source: str, *, dry_run: bool
) -> ImportReport:
    """Plan every row of the list; unless ``dry_run``, post the rows that are not errors (the
    caller commits them as one transaction)."""
    if actor.role not in IMPORTERS:
        raise AccessDenied("Supervisors and administrators import release lists.")
    source = clean_text(source, "source", max_length=80)
    if not source:
        raise DomainError(gettext("Name who sent the list, e.g. HMP Leeds."), field="source")
    report = ImportReport(source, dry_run)
    seen: dict[str, int] = {}
    for line, row, too_long in read_rows(data):
        result = _plan_row(session, actor, source, line, row, too_long)
        first = seen.setdefault(row_id(row), line)
        if first != line and result.action != "error":
            result.action, result.detail = "unchanged", f"The same as line {first}."
            result.plans = []
        if result.errors:
            result.action = "error"
        report.rows.append(result)
    if not dry_run:
        _post(session, actor, source, report)
    return report


def _post(session: Session, actor: User, source: str, report: ImportReport) -> None:
    for result in report.rows:
        if result.action != "create":
            continue
        for defendant, kind, effective, fields, ident in result.plans:
            services.post_event(
                session,
                actor,
                case=defendant.case,
                defendant=defendant,
                kind=kind,
                effective_date=effective,
                source=EventSource.prison,
                source_system=source,
                external_id=ident,
                **fields,
            )
