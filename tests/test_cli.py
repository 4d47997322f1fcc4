"""The flask commands a newcomer and an administrator use."""

from sqlalchemy import func, select

from witness.auth.models import Role, User
from witness.people.models import Witness
from witness.scheduling.models import Appointment, AppointmentKind


def test_create_user(runner, office, db):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New.Officer@Example.org",
            "--name",
            "New Officer",
            "--role",
            "liaison_officer",
            "--organisation",
            office.name,
            "--password",
            "a long enough password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created liaison officer new.officer@example.org" in result.output
    user = db.scalar(select(User).where(User.email == "new.officer@example.org"))
    assert user.role is Role.liaison_officer and user.check_password("a long enough password")


def test_create_user_refuses_unknown_organisation_and_short_password(runner, office, db):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@b.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--organisation",
            "Nowhere",
            "--password",
            "a long enough password",
        ],
    )
    assert result.exit_code == 2 and "No organisation named 'Nowhere'" in result.output
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@b.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--organisation",
            office.name,
            "--password",
            "short",
        ],
    )
    assert result.exit_code == 2 and "at least 10 characters" in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_demo_data_loads_once_and_prints_sign_ins(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Demo sign-ins" in result.output
    for role in ("admin", "supervisor", "liaison", "ngo", "prosecutor"):
        assert role in result.output.lower()
    witnesses = db.scalar(select(func.count()).select_from(Witness))
    assert witnesses >= 60
    # a hearing where one officer accompanies two witnesses or more in one booking
    groups = db.execute(
        select(Appointment.group_id, func.count(Appointment.id))
        .where(Appointment.kind == AppointmentKind.accompaniment)
        .group_by(Appointment.group_id)
        .having(func.count(Appointment.id) > 1)
    ).all()
    assert groups
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert db.scalar(select(func.count()).select_from(Witness)) == witnesses


def test_demo_officer_and_ngo_worker_done_when(runner, app, db):
    """The issue's acceptance: the demo officer moves a witness to trial; the demo NGO worker
    cannot open a witness who did not consent to share with the NGO."""
    import re

    output = runner.invoke(args=["demo-data"]).output
    creds = dict(re.findall(r"^\s+\S.*?\s(\S+@\S+)\s+(\S+)$", output, re.M))
    officer_email = next(e for e in creds if e.startswith("liaison"))
    ngo_email = next(e for e in creds if e.startswith("ngo"))
    officer, ngo = app.test_client(), app.test_client()
    for client, email in ((officer, officer_email), (ngo, ngo_email)):
        assert (
            client.submit("/login", {"email": email, "password": creds[email]}).status_code == 302
        )
        client.fetch_token("/")
    from witness.core.access import visible_witnesses
    from witness.people.models import Participation, Phase

    officer_user = db.scalar(select(User).where(User.email == officer_email))
    ngo_user = db.scalar(select(User).where(User.email == ngo_email))
    participation = db.scalar(
        select(Participation)
        .join(Witness)
        .where(visible_witnesses(officer_user), Participation.phase == Phase.pre_trial)
        .limit(1)
    )
    url = f"/witnesses/{participation.witness_id}"
    assert officer.get(url).status_code == 200
    moved = officer.submit(
        f"{url}/participations/{participation.id}/phase",
        {"phase": "trial", "reason": "Trial listed for next month"},
    )
    assert moved.status_code == 302
    page = officer.get(url).get_data(as_text=True)
    assert "Trial listed for next month" in page and "Pre-trial → Trial" in page
    hidden = db.scalar(
        select(Witness.id).where(visible_witnesses(officer_user), ~visible_witnesses(ngo_user))
    )
    assert ngo.get(f"/witnesses/{hidden}").status_code == 404


def test_a_new_installation_starts_with_an_organisation_and_its_admin(runner, db):
    result = runner.invoke(
        args=["create-organisation", "--name", "CPS North", "--kind", "prosecution"]
    )
    assert result.exit_code == 0 and "Created organisation CPS North" in result.output
    again = runner.invoke(args=["create-organisation", "--name", "CPS North", "--kind", "ngo"])
    assert again.exit_code == 2 and "already exists" in again.output
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "first@cps.example",
            "--name",
            "First Admin",
            "--role",
            "admin",
            "--organisation",
            "CPS North",
            "--password",
            "a long enough password",
        ],
    )
    assert result.exit_code == 0, result.output


def test_the_demo_has_outcomes_letters_due_and_one_overdue_task(runner, db, frozen_clock):
    """After trial in the demo: a verdict last week, a release in 20 days, letters waiting to
    be printed, a call to make, and one task past its deadline."""
    from datetime import timedelta

    from witness.letters.models import Letter, LetterStatus
    from witness.notify.models import NotificationTask, TaskStatus
    from witness.outcomes.models import EventKind, OutcomeEvent

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    today = frozen_clock.now().date()
    events = db.scalars(select(OutcomeEvent)).all()
    assert {e.kind: e.effective_date for e in events}[EventKind.verdict] == today - timedelta(7)
    releases = [e.release_date for e in events if e.kind is EventKind.release_date_set]
    assert releases == [today + timedelta(20)]
    queued = db.scalars(select(Letter).where(Letter.status == LetterStatus.queued)).all()
    assert queued and all(letter.recipient_address for letter in queued)
    open_tasks = db.scalars(
        select(NotificationTask).where(NotificationTask.status == TaskStatus.open)
    ).all()
    overdue = [t for t in open_tasks if t.due_dt < frozen_clock.now()]
    assert len(overdue) == 1
    # the victims of the release 20 days away are to be told of it (its 30-day reminder day
    # fell before Witness learned of the date: the news itself tells them)
    release = next(e for e in events if e.kind is EventKind.release_date_set)
    assert any(t.event_id == release.id and t.reminder == "" for t in open_tasks)
