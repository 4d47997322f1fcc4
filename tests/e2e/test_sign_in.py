"""Signing in from where a person meant to go."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_anonymous_visit_to_a_witness_lands_on_sign_in_then_on_the_witness(
    tab, seed, open_witness_file
):
    witness = open_witness_file()

    tab.goto(f"/witnesses/{witness.id}")
    expect(tab).to_have_url(re.compile(rf"/login\?next=%2Fwitnesses%2F{witness.id}$"))
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(tab.get_by_role("status")).to_have_text("Please sign in to continue.")
    expect(tab.get_by_text(witness.reference)).to_have_count(0)

    tab.get_by_label("E-mail").fill(seed.officer.email)
    tab.get_by_label("Password").fill(seed.officer.password)
    tab.get_by_role("button", name="Sign in").click()

    expect(tab).to_have_url(re.compile(rf"/witnesses/{witness.id}$"))
    expect(tab.get_by_role("status")).to_have_text(f"Signed in as {seed.officer.name}.")
    expect(tab.get_by_role("heading", level=1)).to_have_text(witness.reference)
    expect(tab.get_by_text(witness.legal_name)).to_be_visible()


def test_wrong_password_keeps_the_visitor_out(tab, seed):
    tab.goto("/login")
    tab.get_by_label("E-mail").fill(seed.officer.email)
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Sign in").click()

    expect(tab.get_by_role("alert")).to_have_text(
        "That e-mail and password do not match an active account."
    )
    expect(tab.get_by_label("E-mail")).to_have_value(seed.officer.email)
    expect(tab.get_by_label("Password")).to_have_value("")
    expect(tab.get_by_role("button", name="Sign out")).to_have_count(0)
