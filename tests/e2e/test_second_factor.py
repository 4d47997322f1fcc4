"""An officer whose organisation requires a second factor sets one up at their first sign-in
(scanning is played by reading the key the page shows), keeps the recovery codes, and signs in
again with a code from the app."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from witness.auth.models import Organisation, OrganisationKind, Role, User

from .conftest import PASSWORD


def _officer_of_a_strict_office(live_server) -> tuple[str, str]:
    with live_server.session() as db:
        office = Organisation(
            name="Strict Office", kind=OrganisationKind.prosecution, require_second_factor=True
        )
        officer = User(
            email="ines.duarte@witness.example",
            name="Ines Duarte",
            role=Role.liaison_officer,
            organisation=office,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        db.add_all([office, officer])
        db.commit()
        return officer.email, officer.name


def _password(tab, email: str) -> None:
    tab.goto("/login")
    tab.get_by_label("E-mail").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


def test_set_up_a_second_factor_then_sign_in_with_a_code(tab, live_server):
    email, name = _officer_of_a_strict_office(live_server)
    _password(tab, email)

    # sent to set it up, and nothing else opens until it is done
    expect(tab).to_have_url(re.compile(r"/account/second-factor$"))
    expect(tab.get_by_role("status").filter(has_text="Set up your second factor")).to_be_visible()
    expect(tab.locator("#qr svg")).to_be_visible()
    tab.goto("/witnesses")
    expect(tab).to_have_url(re.compile(r"/account/second-factor$"))

    key = tab.locator("#secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    tab.get_by_label("Code").fill(totp.now())
    tab.get_by_role("button", name="Turn on").click()
    codes = tab.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    expect(tab.get_by_text("shown only this once")).to_be_visible()
    tab.get_by_role("link", name="I have kept them: go on").click()
    expect(tab).to_have_url(re.compile(r"/$"))

    tab.get_by_role("button", name="Sign out").click()
    _password(tab, email)
    expect(tab.get_by_role("heading", name="Type your code")).to_be_visible()
    tab.goto("/witnesses")  # not signed in yet
    expect(tab).to_have_url(re.compile(r"/login\?next="))
    tab.goto("/login/code")
    # the code of the next 30 seconds: the one typed to set it up is never accepted again
    tab.get_by_label("Code").fill(totp.at(time.time() + 30))
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("status")).to_contain_text(f"Signed in as {name}.")
    tab.goto("/account/second-factor")
    expect(tab.locator("#recovery-left")).to_have_text("Unused recovery codes: 10 of 10.")
