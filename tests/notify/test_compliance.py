"""The compliance report: per month (in the court's calendar) and office, tasks told in time,
late, not yet told and cancelled, the share told in time for enhanced and standard rights; the
chart, the CSV, who may read it, and bad query strings."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, date, datetime

import pytest

from witness.notify.compliance import compliance_report
from witness.notify.models import TaskStatus


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def known(db, world, make_case, make_court, make_witness, make_task, frozen_clock):
    """A known set of tasks of the world's office (and one of another office)."""
    london = world.case  # Europe/London
    new_york = make_case(court=make_court("America/New_York"))
    ny_witness = make_witness(case=new_york, officer=world.officer)
    w = world.assigned

    def task(case, witness, due, **kw):
        return make_task(witness, case, due_dt=due, **kw)

    done = TaskStatus.done
    # March, enhanced: one in time, one late
    task(london, w, utc(2026, 3, 5), enhanced=True, status=done, done_dt=utc(2026, 3, 4, 12))
    task(london, w, utc(2026, 3, 6), enhanced=True, status=done, done_dt=utc(2026, 3, 7, 9))
    # March, standard: in time, not yet told, cancelled
    task(london, w, utc(2026, 3, 11), status=done, done_dt=utc(2026, 3, 10, 8))
    task(london, w, utc(2026, 3, 20))
    task(london, w, utc(2026, 3, 21), status=TaskStatus.cancelled, cancelled_reason="Opted out")
    # the end of 31 March in New York is 04:00 UTC on 1 April: still March there
    task(new_york, ny_witness, utc(2026, 4, 1, 4), status=done, done_dt=utc(2026, 3, 31, 20))
    # the end of 31 March in London (BST) is 23:00 UTC on the 31st: March
    task(london, w, utc(2026, 3, 31, 23), status=done, done_dt=utc(2026, 4, 2))
    # April, standard: in time
    task(london, w, utc(2026, 4, 10), status=done, done_dt=utc(2026, 4, 9))
    # another office's task: never counted here
    task(world.other_case, world.foreign, utc(2026, 3, 12))
    return world


def test_the_figures_of_a_known_set(db, known):
    march, april = compliance_report(db, known.supervisor, date(2026, 3, 1), date(2026, 4, 1))
    assert (march.month, march.office) == (date(2026, 3, 1), "Test Prosecution Office")
    e, s = march.enhanced, march.standard
    assert (e.in_time, e.late, e.not_told, e.cancelled) == (1, 1, 0, 0)
    assert (s.in_time, s.late, s.not_told, s.cancelled) == (2, 1, 1, 1)
    assert e.share_in_time == 0.5
    assert s.share_in_time == 0.5  # cancelled ones are left out: 2 of 4
    assert march.all.total == 7 and march.all.share_in_time == 3 / 6
    assert april.enhanced.total == 0 and april.enhanced.share_in_time is None
    assert (april.standard.in_time, april.standard.total) == (1, 1)


def test_a_month_without_tasks_is_left_out(db, known):
    assert compliance_report(db, known.supervisor, date(2025, 1, 1), date(2025, 2, 1)) == []


def test_the_page_draws_a_chart_beside_the_table(login, known):
    response = login(known.supervisor).get("/tasks/compliance?from=2026-03&to=2026-04")
    page = text(response)
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert '<title id="chart-title">Share of victims told in time, per month</title>' in page
    # each bar titled with its month, office, rights and share (the dashboard's chart module)
    assert "<title>Mar 2026, Test Prosecution Office, enhanced rights: 50%</title>" in page
    assert "<table" in page and 'data-month="2026-03" data-rights="standard"' in page
    # drawn by the server: no script but the page's own menu (static/menu.js)
    assert page.count("<script") == 1 and '<script src="/static/menu.js" defer>' in page


def test_by_default_the_last_twelve_months(login, known):
    page = text(login(known.supervisor).get("/tasks/compliance"))
    assert 'value="2025-04"' in page and 'value="2026-03"' in page
    assert 'data-month="2026-03"' in page and 'data-month="2026-04"' not in page


def test_the_csv_is_safe_from_formulas(login, db, known):
    known.office.name = '=HYPERLINK("http://evil.example","x")'
    db.flush()
    response = login(known.prosecutor).get("/tasks/compliance.csv?from=2026-03&to=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads every script
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["month", "office", "rights", "due"]
    assert rows[1] == [
        "2026-03",
        '\'=HYPERLINK("http://evil.example","x")',
        "enhanced",
        "2",
        "1",
        "1",
        "0",
        "0",
        "0.500",
    ]
    assert rows[2][2:] == ["standard", "5", "2", "1", "1", "1", "0.500"]


@pytest.mark.parametrize("who", ["officer", "ngo_worker"])
def test_officers_and_ngo_workers_do_not_see_it(login, known, who):
    client = login(getattr(known, who))
    assert client.get("/tasks/compliance").status_code == 404
    assert client.get("/tasks/compliance.csv").status_code == 404


def test_the_admin_and_prosecutor_read_it(login, known):
    assert login(known.admin).get("/tasks/compliance").status_code == 200
    assert login(known.prosecutor).get("/tasks/compliance").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-13",
        "to=abc",
        "from=2026-3",
        "from=\uff12\uff10\uff12\uff16-03",  # fullwidth digits
        "from=2026-04&to=2026-03",
        "from=2020-01&to=2026-01",
        "to=1800-01",
    ],
)
def test_bad_months_are_a_400(login, known, query):
    response = login(known.supervisor).get(f"/tasks/compliance?{query}")
    assert response.status_code == 400
    csv_response = login(known.supervisor).get(f"/tasks/compliance.csv?{query}")
    assert csv_response.status_code == 400
