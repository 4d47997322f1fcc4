"""A prison's release list imported from CSV: the dry run changes nothing, errors are listed
per row, the real import makes events and tasks, and the same file again changes nothing."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.core.errors import AccessDenied, DomainError
from witness.notify.models import NotificationTask
from witness.outcomes.imports import import_release_list
from witness.outcomes.models import EventKind, EventSource, OutcomeEvent

LIST = (
    "\ufeffcustody_number,kind,date,release_date,institution,conditions\r\n"
    "A1234BC,release_date_set,2026-03-02,2027-05-01,,\r\n"
    "A1234BC,transferred,2026-03-03,,HMP Hull,\r\n"
    "NOPE999,released,2026-03-04,,,\r\n"
    "A1234BC,paroled,2026-03-04,,,\r\n"
    "A1234BC,released,04/03/2026,,,\r\n"
    "Z9999ZZ,released,2026-03-04,,,\r\n"
    "A1234BC,release_date_set,2026-03-05,,,\r\n"
    '"=HYPERLINK(""http://x"")",released,2026-03-04,,,\r\n'
).encode()


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_a_dry_run_plans_each_row_and_changes_nothing(db, trial):
    audit_rows = _count(db, AuditEvent)
    report = import_release_list(db, trial.supervisor, LIST, "HMP X", dry_run=True)
    assert [r.action for r in report.rows] == [
        "create",
        "create",
        "error",
        "error",
        "error",
        "create",  # the office's other case
        "error",
        "error",
    ]
    assert "Expected release date on 02 Mar 2026 for Dan Fendant" in report.rows[0].detail
    errors = {r.line: " ".join(r.errors) for r in report.rows if r.errors}
    assert "Unknown custody number 'NOPE999'" in errors[4]
    assert "Unknown kind 'paroled'" in errors[5]
    assert "Bad date '04/03/2026'" in errors[6]
    assert "release date" in errors[8]
    assert "Unknown custody number" in errors[9]
    assert (_count(db, OutcomeEvent), _count(db, NotificationTask)) == (0, 0)
    assert _count(db, AuditEvent) == audit_rows


def test_the_import_creates_the_good_rows_and_again_changes_nothing(db, trial):
    report = import_release_list(db, trial.supervisor, LIST, "HMP X", dry_run=False)
    assert (report.created, report.unchanged, report.errors) == (3, 0, 5)
    events = db.scalars(select(OutcomeEvent).order_by(OutcomeEvent.id)).all()
    assert [(e.kind, e.source, e.source_system) for e in events] == [
        (EventKind.release_date_set, EventSource.prison, "HMP X"),
        (EventKind.transferred, EventSource.prison, "HMP X"),
        (EventKind.released, EventSource.prison, "HMP X"),
    ]
    assert all(e.external_id.startswith("row-") for e in events)
    assert _count(db, NotificationTask) == 6
    assert trial.defendant.expected_release_date == date(2027, 5, 1)
    again = import_release_list(db, trial.supervisor, LIST, "HMP X", dry_run=False)
    assert (again.created, again.unchanged, again.errors) == (0, 3, 5)
    assert (_count(db, OutcomeEvent), _count(db, NotificationTask)) == (3, 6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"custody_number;kind;date\n", "missing"),
        (b"custody_number,kind,date,relase_date\n", "Unknown columns"),
        ("custody_number,kind,date\nA1,released,2026-03-04\n".encode("utf-16"), "UTF-8"),
        ("Custody_Number,kind,date\nA1234BC,rel\xe9ased,2026\n".encode("latin-1"), "UTF-8"),
        (b"custody_number,kind,date\nA1\x00,released,2026-03-04\n", "NUL"),
        (b"custody_number,kind,date\n" + b"A1234BC,released,2026-03-04\n" * 5001, "at most"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger"),
    ],
)
def test_a_file_that_is_no_release_list_is_refused_whole(db, trial, data, message):
    with pytest.raises(DomainError, match=message):
        import_release_list(db, trial.supervisor, data, "HMP X", dry_run=True)


def test_another_offices_defendant_is_as_unknown_as_a_made_up_number(db, trial, make_case):
    trial.other_case.organisation_id = trial.other_office.id
    db.flush()
    report = import_release_list(db, trial.supervisor, LIST, "HMP X", dry_run=True)
    assert "Unknown custody number 'Z9999ZZ'" in " ".join(report.rows[5].errors)


def test_an_officer_or_ngo_worker_may_not_import(db, trial):
    for who in (trial.officer, trial.ngo_worker):
        with pytest.raises(AccessDenied):
            import_release_list(db, who, LIST, "HMP X", dry_run=False)
    assert _count(db, OutcomeEvent) == 0


def test_the_page_previews_then_imports(db, trial, login):
    client = login(trial.supervisor)
    assert client.get("/outcomes/import").status_code == 200

    def send(action):
        return client.submit(
            "/outcomes/import",
            {"file": (io.BytesIO(LIST), "list.csv"), "source": "HMP X", "action": action},
            content_type="multipart/form-data",
        )

    preview = send("preview")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "Preview: nothing was changed" in text and "Unknown kind" in text
    # what the file said is shown escaped, never as markup or a live formula cell
    assert "=HYPERLINK(&#34;http://x&#34;)" in text or "=HYPERLINK(&quot;" in text
    assert _count(db, OutcomeEvent) == 0
    assert send("import").status_code == 200
    assert _count(db, OutcomeEvent) == 3
    assert send("import").status_code == 200
    assert _count(db, OutcomeEvent) == 3
    # a file that is not UTF-8: the form again with the message, nothing changed
    bad = client.submit(
        "/outcomes/import",
        {"file": (io.BytesIO("\xe9".encode("latin-1")), "l.csv"), "source": "HMP X"},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "UTF-8" in bad.get_data(as_text=True)
    assert login(trial.officer).get("/outcomes/import").status_code == 404


def test_the_command_dry_runs_and_imports(db, trial, runner, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(LIST)
    args = ["import-release-list", str(path), "--source", "HMP X", "--user", trial.supervisor.email]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 1  # rows with errors
    assert "3 row(s) would create" in dry.output and "line 4: error: Unknown custody" in dry.output
    assert _count(db, OutcomeEvent) == 0
    real = runner.invoke(args=args)
    assert "3 row(s) created, 0 unchanged, 5 with errors" in real.output
    assert _count(db, OutcomeEvent) == 3
    again = runner.invoke(args=args)
    assert "0 row(s) created, 3 unchanged" in again.output
    assert _count(db, OutcomeEvent) == 3
