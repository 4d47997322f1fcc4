"""Access matrix: who sees, and who may change, which witness file and which case.

The rules (need to know, DESIGN.md §3.1): admin and supervisor see their office's witnesses; a
liaison officer sees the witnesses assigned to them; an NGO worker sees only witnesses who
consented to share with their organisation, and their identity only when that consent covers it;
a prosecutor sees the witnesses in the cases they lead. A refusal is a 404 that does not reveal
the record and is audited. Only the owning office's admin, supervisor or liaison officer changes
a witness file.

The expected tables below are written out by hand from those rules. They are deliberately not
computed from ``witness.core.access``: a test that asks the code under test what to expect
cannot catch it being wrong.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from witness.audit.models import AuditEvent
from witness.people.models import (
    Assignment,
    Consent,
    ConsentKind,
    Participation,
    ParticipationRole,
    Phase,
    PhaseTransition,
    Witness,
)

ROLES = (
    "admin",
    "supervisor",
    "officer",
    "officer2",
    "prosecutor",
    "other_prosecutor",
    "ngo_worker",
    "foreign_admin",
)
WITNESSES = ("assigned", "unassigned", "shared", "shared_identity", "foreign")
CASES = ("case", "other_case", "foreign_case")

OFFICE_WITNESSES = {"assigned", "unassigned", "shared", "shared_identity"}

#: The witness files each role may open (and find in lists and searches).
SEES = {
    "admin": OFFICE_WITNESSES,
    "supervisor": OFFICE_WITNESSES,
    "officer": {"assigned"},
    "officer2": {"shared", "shared_identity"},
    "prosecutor": {"assigned", "unassigned"},  # both in `case`, which they lead
    "other_prosecutor": {"shared", "shared_identity"},  # both in `other_case`
    "ngo_worker": {"shared", "shared_identity"},
    "foreign_admin": {"foreign"},
}

#: Of those, the files whose legal name, date of birth and contact details the role sees.
SEES_IDENTITY = {
    "admin": OFFICE_WITNESSES,
    "supervisor": OFFICE_WITNESSES,
    "officer": {"assigned"},
    "officer2": {"shared", "shared_identity"},
    "prosecutor": {"assigned", "unassigned"},
    "other_prosecutor": {"shared", "shared_identity"},
    "ngo_worker": {"shared_identity"},  # `shared` consented without identity
    "foreign_admin": {"foreign"},
}

#: The files each role may change: edit, phases, consents, assignments.
MAY_CHANGE = {
    "admin": OFFICE_WITNESSES,
    "supervisor": OFFICE_WITNESSES,
    "officer": {"assigned"},
    "officer2": {"shared", "shared_identity"},
    "prosecutor": set(),
    "other_prosecutor": set(),
    "ngo_worker": set(),
    "foreign_admin": {"foreign"},
}

#: The cases each role may open and find in the case list.
SEES_CASES = {
    "admin": {"case", "other_case"},
    "supervisor": {"case", "other_case"},
    "officer": {"case", "other_case"},  # office roles see all their office's cases
    "officer2": {"case", "other_case"},
    "prosecutor": {"case"},
    "other_prosecutor": {"other_case"},
    "ngo_worker": {"other_case"},  # the case `shared` and `shared_identity` take part in
    "foreign_admin": {"foreign_case"},
}

#: Which witnesses take part in which case (see the `service` fixture).
CASE_WITNESSES = {
    "case": {"assigned", "unassigned"},
    "other_case": {"shared", "shared_identity"},
    "foreign_case": {"foreign"},
}

_WITNESS_LINK = re.compile(r'href="/witnesses/(\d+)"')
_CASE_LINK = re.compile(r'href="/cases/(\d+)"')
_TOTAL = re.compile(r"(\d+) in all")
NO_IDENTITY_NOTICE = "has not consented to share their identity and contact details"


# --- helpers -----------------------------------------------------------------------------------


def cells(table: dict[str, set[str]], columns: tuple[str, ...]) -> list:
    """One pytest param per (role, column) with the expected answer, e.g. ``officer-no-shared``."""
    return [
        pytest.param(
            role,
            column,
            column in table[role],
            id=f"{role}-{'yes' if column in table[role] else 'no'}-{column}",
        )
        for role in ROLES
        for column in columns
    ]


def text(response) -> str:
    return response.get_data(as_text=True)


def linked_witness_ids(response) -> set[int]:
    """The ids of the witness files a page links to (list rows, case participants)."""
    return {int(i) for i in _WITNESS_LINK.findall(text(response))}


def linked_case_ids(response) -> set[int]:
    return {int(i) for i in _CASE_LINK.findall(text(response))}


def audit_count(db, action: str, actor, witness_id: int) -> int:
    """How many audit events ``action`` by ``actor`` about the witness exist."""
    return db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.actor_id == actor.id,
            AuditEvent.witness_id == witness_id,
        )
    )


def edit_form(witness: Witness, legal_name: str) -> dict:
    """The witness edit form as a browser would post it, with only the legal name changed."""
    return {
        "reference": witness.reference,
        "legal_name": legal_name,
        "date_of_birth": witness.date_of_birth.isoformat(),
        "languages": ", ".join(witness.languages),
        "phone": witness.phone,
    }


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def service(world, db, make_case):
    """The ``world`` fixture, with the foreign witness put in a case of its own office so that
    the foreign admin has a case and a participation to act on too."""
    world.foreign_case = make_case(organisation=world.other_office)
    participation = Participation(
        witness=world.foreign,
        case=world.foreign_case,
        role=ParticipationRole.victim_witness,
        phase=Phase.reflection,
    )
    db.add(participation)
    db.flush()
    db.add(
        PhaseTransition(
            participation=participation,
            from_phase=None,
            to_phase=Phase.reflection,
            actor_id=world.foreign_admin.id,
            reason="Identified",
        )
    )
    db.flush()
    return world


@pytest.fixture
def sign_in(service, login):
    """``sign_in("officer")``: a client signed in as that role of the ``service``."""
    return lambda role: login(getattr(service, role))


def test_tables_name_every_role_witness_and_case():
    """Guard the hand-written tables against typos: a misspelt name would silently pass."""
    for table, columns in (
        (SEES, WITNESSES),
        (SEES_IDENTITY, WITNESSES),
        (MAY_CHANGE, WITNESSES),
        (SEES_CASES, CASES),
    ):
        assert set(table) == set(ROLES)
        for role, allowed in table.items():
            assert allowed <= set(columns), role
    for role in ROLES:
        assert SEES_IDENTITY[role] <= SEES[role]
        assert MAY_CHANGE[role] <= SEES[role]


# --- seeing witness files ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "name", "visible"), cells(SEES, WITNESSES))
def test_witness_visibility(role, name, visible, service, sign_in, db):
    """A witness is listed and opens (and the opening is audited) exactly when the role may see
    it; otherwise the file is neither listed nor opened, the answer is a plain 404, and the
    refusal is audited."""
    client = sign_in(role)
    actor, witness = getattr(service, role), getattr(service, name)

    listing = client.get("/witnesses/")
    assert listing.status_code == 200
    assert (witness.reference in text(listing)) is visible
    assert (witness.id in linked_witness_ids(listing)) is visible

    page = client.get(f"/witnesses/{witness.id}")
    if visible:
        assert page.status_code == 200
        assert witness.reference in text(page)
        assert audit_count(db, "witness.view", actor, witness.id) == 1
        assert audit_count(db, "witness.refused", actor, witness.id) == 0
    else:
        assert page.status_code == 404
        assert witness.reference not in text(page)
        assert witness.legal_name not in text(page)
        assert audit_count(db, "witness.refused", actor, witness.id) == 1
        assert audit_count(db, "witness.view", actor, witness.id) == 0


@pytest.mark.parametrize(
    "filters",
    [{}, {"q": "VW-"}, {"phase": "reflection"}],
    ids=["no-filter", "search-prefix", "phase-filter"],
)
@pytest.mark.parametrize("role", ROLES)
def test_witness_list_holds_exactly_the_visible_files(role, filters, service, sign_in):
    """The list (plain, searched or filtered) holds every file the role may see and no other,
    and its count ("N in all", counted in SQL) does not betray the hidden ones either."""
    expected = {getattr(service, name).id for name in SEES[role]}
    listing = sign_in(role).get("/witnesses/", query_string=filters)
    assert listing.status_code == 200
    assert linked_witness_ids(listing) == expected
    assert _TOTAL.findall(text(listing)) == [str(len(expected))]


@pytest.mark.parametrize(("role", "name", "visible"), cells(SEES, WITNESSES))
def test_search_by_reference_never_finds_a_hidden_file(role, name, visible, service, sign_in):
    """Searching for a witness's exact reference finds it only if the role may see it."""
    witness = getattr(service, name)
    result = sign_in(role).get("/witnesses/", query_string={"q": witness.reference})
    assert result.status_code == 200
    if visible:
        assert linked_witness_ids(result) == {witness.id}
    else:
        assert linked_witness_ids(result) == set()
        assert witness.reference not in text(result).replace(f'value="{witness.reference}"', "")
        assert "No witnesses match." in text(result)


@pytest.mark.parametrize(
    ("role", "name", "identity"),
    [
        pytest.param(role, name, name in SEES_IDENTITY[role], id=f"{role}-{name}")
        for role in ROLES
        for name in sorted(SEES[role])
    ],
)
def test_identity_fields_on_the_witness_page(role, name, identity, service, sign_in, db):
    """Legal name, date of birth and phone are shown to the office and the prosecutor; an NGO
    worker sees them only when the sharing consent includes identity and contact details."""
    witness = getattr(service, name)
    witness.date_of_birth = date(1987, 6, 23)  # distinctive, so its absence means something
    db.flush()

    page = sign_in(role).get(f"/witnesses/{witness.id}")
    assert page.status_code == 200
    body = text(page)
    for label, value in (
        ("Legal name", witness.legal_name),
        ("Date of birth", "23 Jun 1987"),
        ("Safe phone", witness.phone),
    ):
        assert (label in body) is identity, label
        assert (value in body) is identity, label
    assert (NO_IDENTITY_NOTICE in body) is not identity


# --- changing witness files --------------------------------------------------------------------


def assert_refusal_audited(db, role: str, name: str, actor, witness: Witness) -> None:
    """A refused change is audited as ``change_refused`` when the role could see the file, and
    as a plain ``refused`` (existence not revealed) when it could not."""
    action = "witness.change_refused" if name in SEES[role] else "witness.refused"
    assert audit_count(db, action, actor, witness.id) >= 1, action


@pytest.mark.parametrize(("role", "name", "allowed"), cells(MAY_CHANGE, WITNESSES))
def test_edit_witness_file(role, name, allowed, service, sign_in, db):
    """Only the owning office's admin, supervisor and (assigned) liaison officer open the edit
    form and save it; anyone else gets a 404 and the file stays as it was."""
    client = sign_in(role)
    actor, witness = getattr(service, role), getattr(service, name)
    original = witness.legal_name
    url = f"/witnesses/{witness.id}/edit"

    form_page = client.get(url)
    saved = client.submit(url, edit_form(witness, "Changed Legal Name"))
    stored = db.scalar(select(Witness.legal_name).where(Witness.id == witness.id))

    if allowed:
        assert form_page.status_code == 200
        assert original in text(form_page)
        assert saved.status_code == 302
        assert saved.headers["Location"].endswith(f"/witnesses/{witness.id}")
        assert stored == "Changed Legal Name"
        assert audit_count(db, "witness.update", actor, witness.id) == 1
    else:
        assert form_page.status_code == 404
        assert original not in text(form_page)
        assert saved.status_code == 404
        assert stored == original
        assert audit_count(db, "witness.update", actor, witness.id) == 0
        assert_refusal_audited(db, role, name, actor, witness)


@pytest.mark.parametrize(("role", "name", "allowed"), cells(MAY_CHANGE, WITNESSES))
def test_change_phase(role, name, allowed, service, sign_in, db):
    """Only those who may change the file move a participation to another phase; a refused
    move leaves the phase and its history untouched."""
    actor, witness = getattr(service, role), getattr(service, name)
    participation = witness.participations[0]
    assert participation.phase is Phase.reflection

    response = sign_in(role).submit(
        f"/witnesses/{witness.id}/participations/{participation.id}/phase",
        {"phase": "pre_trial", "reason": "Defendant charged; trial preparation starts."},
    )
    phase = db.scalar(select(Participation.phase).where(Participation.id == participation.id))
    moves = db.execute(
        select(
            PhaseTransition.from_phase, PhaseTransition.to_phase, PhaseTransition.actor_id
        ).where(
            PhaseTransition.participation_id == participation.id,
            PhaseTransition.from_phase.is_not(None),  # not the opening entry
        )
    ).all()

    if allowed:
        assert response.status_code == 302
        assert phase is Phase.pre_trial
        assert [tuple(m) for m in moves] == [(Phase.reflection, Phase.pre_trial, actor.id)]
    else:
        assert response.status_code == 404
        assert phase is Phase.reflection
        assert moves == []
        assert_refusal_audited(db, role, name, actor, witness)


@pytest.mark.parametrize(("role", "name", "allowed"), cells(MAY_CHANGE, ("shared",)))
def test_record_consent(role, name, allowed, service, sign_in, db):
    """Only the owning office records a consent decision; in particular an NGO worker cannot
    widen the sharing consent to their own organisation to reveal the witness's identity."""
    actor, witness = getattr(service, role), getattr(service, name)
    response = sign_in(role).submit(
        f"/witnesses/{witness.id}/consents",
        {
            "kind": "share",
            "decision": "granted",
            "organisation_id": str(service.ngo.id),
            "includes_identity": "y",
            "case_id": "",
            "channel": "",
            "notes": "Witness agreed on the phone.",
        },
    )
    recorded_by_actor = db.scalar(
        select(func.count())
        .select_from(Consent)
        .where(Consent.witness_id == witness.id, Consent.recorded_by_id == actor.id)
    )
    identity_shared = db.scalar(
        select(Consent.includes_identity).where(
            Consent.witness_id == witness.id,
            Consent.kind == ConsentKind.share,
            Consent.organisation_id == service.ngo.id,
            Consent.is_current.is_(True),
        )
    )
    if allowed:
        assert response.status_code == 302
        assert recorded_by_actor == 1
        assert identity_shared is True
    else:
        assert response.status_code == 404
        assert recorded_by_actor == 0
        assert identity_shared is False
        assert_refusal_audited(db, role, name, actor, witness)


@pytest.mark.parametrize(("role", "name", "allowed"), cells(MAY_CHANGE, ("shared",)))
def test_assign_staff(role, name, allowed, service, sign_in, db):
    """Only the owning office assigns staff; an NGO worker cannot assign themselves."""
    actor, witness = getattr(service, role), getattr(service, name)
    response = sign_in(role).submit(
        f"/witnesses/{witness.id}/assignments", {"user_id": str(service.ngo_worker.id)}
    )
    assigned = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.witness_id == witness.id, Assignment.user_id == service.ngo_worker.id)
    )
    if allowed:
        assert response.status_code == 302
        assert assigned == 1
    else:
        assert response.status_code == 404
        assert assigned == 0
        assert_refusal_audited(db, role, name, actor, witness)


def test_withdrawn_share_consent_hides_the_file_from_the_ngo(service, sign_in, db):
    """When the witness withdraws consent to share with the NGO, recorded by their liaison
    officer, the NGO worker loses the file at once (404, gone from the list), while a file
    whose consent still stands stays visible."""
    shared, kept = service.shared, service.shared_identity
    ngo = sign_in("ngo_worker")
    assert ngo.get(f"/witnesses/{shared.id}").status_code == 200

    response = sign_in("officer2").submit(
        f"/witnesses/{shared.id}/consents",
        {
            "kind": "share",
            "decision": "withdrawn",
            "organisation_id": str(service.ngo.id),
            "case_id": "",
            "channel": "",
            "notes": "Witness no longer wants Safe Harbour to hold the file.",
        },
    )
    assert response.status_code == 302
    current = db.scalars(
        select(Consent.is_granted).where(
            Consent.witness_id == shared.id,
            Consent.kind == ConsentKind.share,
            Consent.organisation_id == service.ngo.id,
            Consent.is_current.is_(True),
        )
    ).all()
    assert current == [False]

    assert ngo.get(f"/witnesses/{shared.id}").status_code == 404
    assert audit_count(db, "witness.refused", service.ngo_worker, shared.id) == 1
    listing = ngo.get("/witnesses/")
    assert linked_witness_ids(listing) == {kept.id}
    assert shared.reference not in text(listing)
    assert ngo.get(f"/witnesses/{kept.id}").status_code == 200


def test_ended_assignment_hides_the_file_from_the_officer(service, sign_in, db):
    """A liaison officer sees only the witnesses currently assigned to them: once a supervisor
    ends the assignment, the file is gone from their list and opening it is a refused 404."""
    witness, officer = service.assigned, service.officer
    assignment_id = db.scalar(
        select(Assignment.id).where(
            Assignment.witness_id == witness.id, Assignment.user_id == officer.id
        )
    )
    client = sign_in("officer")
    assert client.get(f"/witnesses/{witness.id}").status_code == 200

    ended = sign_in("supervisor").submit(f"/witnesses/{witness.id}/assignments/{assignment_id}/end")
    assert ended.status_code == 302
    assert db.scalar(select(Assignment.ended_dt).where(Assignment.id == assignment_id))

    assert client.get(f"/witnesses/{witness.id}").status_code == 404
    assert audit_count(db, "witness.refused", officer, witness.id) == 1
    assert linked_witness_ids(client.get("/witnesses/")) == set()
    assert client.get(f"/witnesses/{witness.id}/edit").status_code == 404


# --- cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "name", "visible"), cells(SEES_CASES, CASES))
def test_case_visibility(role, name, visible, service, sign_in, db):
    """Office roles see their office's cases, a prosecutor the cases they lead, an NGO worker the
    cases a shared witness takes part in; any other case is unlisted and a 404, audited."""
    client = sign_in(role)
    actor, case = getattr(service, role), getattr(service, name)

    listing = client.get("/cases/")
    assert listing.status_code == 200
    assert (case.id in linked_case_ids(listing)) is visible
    assert (case.title in text(listing)) is visible

    page = client.get(f"/cases/{case.id}")
    refusals = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "case.refused",
            AuditEvent.actor_id == actor.id,
            AuditEvent.object_id == case.id,
        )
    )
    if visible:
        assert page.status_code == 200
        assert case.title in text(page)
        assert refusals == 0
    else:
        assert page.status_code == 404
        assert case.title not in text(page)
        assert refusals == 1


@pytest.mark.parametrize(
    ("role", "name"),
    [
        pytest.param(role, name, id=f"{role}-{name}")
        for role in ROLES
        for name in sorted(SEES_CASES[role])
    ],
)
def test_case_page_lists_only_witnesses_the_role_may_see(role, name, service, sign_in):
    """Opening a case does not open its witnesses: the case page links only to the witness files
    the role may see (an officer sees their office's case but not an unassigned witness in it)."""
    case = getattr(service, name)
    expected = {getattr(service, w).id for w in CASE_WITNESSES[name] & SEES[role]}
    page = sign_in(role).get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert linked_witness_ids(page) == expected
    for hidden in CASE_WITNESSES[name] - SEES[role]:
        assert getattr(service, hidden).reference not in text(page)
