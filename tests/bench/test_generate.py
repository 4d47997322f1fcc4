"""The national-scale generator at a tiny size: consistent data that the app serves."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from witness import create_app
from witness.auth.models import Organisation, OrganisationKind, Role, User
from witness.bench.generate import BENCH_PASSWORD
from witness.cases.models import Case
from witness.core.access import visible_witnesses
from witness.people.models import (
    Assignment,
    Consent,
    ConsentKind,
    NeedsAssessment,
    Participation,
    Phase,
    PhaseTransition,
    Witness,
)
from witness.people.phases import is_allowed

TINY = ["--witnesses", "200", "--cases", "100", "--courts", "4", "--ngos", "6"]


@pytest.fixture
def generated(runner):
    result = runner.invoke(args=["generate-data", *TINY])
    assert result.exit_code == 0, result.output
    return result.output


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_sizes_and_printed_sign_ins(generated, db):
    assert _count(db, Witness) == 200
    assert _count(db, Case) == 100
    assert "Wrote" in generated and "witnesses" in generated
    for role in ("Admin", "Supervisor", "Liaison officer", "NGO worker", "Prosecutor"):
        assert role in generated
    assert BENCH_PASSWORD in generated
    kinds = Counter(db.scalars(select(Organisation.kind)))
    assert kinds[OrganisationKind.ngo] == 6 and kinds[OrganisationKind.court_service] == 1
    assert kinds[OrganisationKind.prosecution] >= 1


def test_every_witness_has_one_officer_of_their_office(generated, db):
    rows = db.execute(
        select(Witness.id, Witness.organisation_id, User.organisation_id)
        .join(Assignment, Assignment.witness_id == Witness.id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.ended_dt.is_(None), User.role == Role.liaison_officer)
    ).all()
    per_witness = Counter(wid for wid, _, _ in rows)
    assert len(per_witness) == 200 and set(per_witness.values()) == {1}
    assert all(w_org == u_org for _, w_org, u_org in rows)


def test_an_officer_sees_exactly_their_assigned_witnesses(generated, db, app):
    officers = db.scalars(select(User).where(User.role == Role.liaison_officer)).all()
    for officer in officers:
        assigned = set(
            db.scalars(
                select(Assignment.witness_id).where(
                    Assignment.user_id == officer.id, Assignment.ended_dt.is_(None)
                )
            )
        )
        visible = set(db.scalars(select(Witness.id).where(visible_witnesses(officer))))
        assert visible == assigned
    # And the pages agree, signed in with the printed password.
    officer = max(officers, key=lambda o: len(_assigned(db, o)))
    client = app.test_client()
    response = client.submit("/login", {"email": officer.email, "password": BENCH_PASSWORD})
    assert response.status_code == 302
    mine = sorted(_assigned(db, officer))
    page = client.get("/witnesses/").get_data(as_text=True)
    assert f"{len(mine)} in all" in page
    assert client.get(f"/witnesses/{mine[0]}").status_code == 200
    other = db.scalar(select(Witness.id).where(Witness.id.not_in(mine)).limit(1))
    assert client.get(f"/witnesses/{other}").status_code == 404


def _assigned(db, user) -> set[int]:
    return set(
        db.scalars(
            select(Assignment.witness_id).where(
                Assignment.user_id == user.id, Assignment.ended_dt.is_(None)
            )
        )
    )


def test_phase_histories_follow_the_rules(generated, db):
    transitions = defaultdict(list)
    for t in db.scalars(select(PhaseTransition).order_by(PhaseTransition.id)):
        transitions[t.participation_id].append(t)
    participations = db.scalars(select(Participation)).all()
    assert len(participations) >= 200
    for p in participations:
        history = transitions[p.id]
        assert history[0].from_phase is None and history[0].to_phase is Phase.reflection
        assert history[-1].to_phase is p.phase
        for before, after in pairwise(history):
            assert after.from_phase is before.to_phase
            assert is_allowed(after.from_phase, after.to_phase)
            assert after.transition_dt >= before.transition_dt
    phases = Counter(p.phase for p in participations)
    assert len(phases) >= 4  # a spread of phases, not everyone in one


def test_consents_are_plausible(generated, db):
    ngos = set(db.scalars(select(Organisation.id).where(Organisation.kind == OrganisationKind.ngo)))
    consents = db.scalars(select(Consent)).all()
    current = Counter(
        (c.witness_id, c.kind, c.case_id, c.organisation_id, c.channel)
        for c in consents
        if c.is_current
    )
    assert max(current.values()) == 1  # one current decision per scope
    shares = [c for c in consents if c.kind is ConsentKind.share]
    assert shares and all(c.organisation_id in ngos for c in shares)
    sharing = {c.witness_id for c in shares if c.is_current and c.is_granted}
    assert 0.1 < len(sharing) / 200 < 0.6  # "about a third"
    # Past reflection and not withdrawn: the witness agreed to take part in that case.
    participating = {
        (c.witness_id, c.case_id)
        for c in consents
        if c.kind is ConsentKind.participate and c.is_current and c.is_granted
    }
    for p in db.scalars(
        select(Participation).where(Participation.phase.in_([Phase.pre_trial, Phase.trial]))
    ):
        assert (p.witness_id, p.case_id) in participating


def test_ngo_workers_only_on_witnesses_who_share(generated, db):
    rows = db.execute(
        select(Assignment.witness_id, User)
        .join(User, User.id == Assignment.user_id)
        .where(User.role == Role.ngo_worker)
    ).all()
    for witness_id, worker in rows:
        visible = db.scalar(
            select(Witness.id).where(Witness.id == witness_id, visible_witnesses(worker))
        )
        assert visible == witness_id
    assert db.scalar(select(func.count()).select_from(NeedsAssessment)) > 0


def test_refuses_a_database_with_witnesses_unless_forced(generated, runner, db):
    again = runner.invoke(args=["generate-data", *TINY])
    assert again.exit_code == 1
    assert "already has witnesses" in again.output
    assert _count(db, Witness) == 200
    forced = runner.invoke(args=["generate-data", *TINY, "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(db, Witness) == 400
    assert db.scalar(select(Organisation.id).where(Organisation.name.like("% (2)")))


def test_refuses_a_database_without_schema(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    try:
        result = app.test_cli_runner().invoke(args=["generate-data", *TINY])
    finally:
        app.extensions["witness.db"].engine.dispose()
    assert result.exit_code == 1
    assert "init-db" in result.output
