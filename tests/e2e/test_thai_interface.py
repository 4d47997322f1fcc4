"""A Thai liaison officer switches Witness to Thai: the menu and the pages speak Thai, with no
English left in the navigation, and dates in the Buddhist era."""

from __future__ import annotations

import re
from itertools import count

from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from witness.auth.models import Role, User

from .conftest import PASSWORD, Account

_numbers = count(1)


def _thai_officer(live_server, seed) -> Account:
    """A liaison officer of the seed's office, with no language chosen yet (the seed's own
    officer is shared by the other browser tests, so stays in English)."""
    n = next(_numbers)
    with live_server.session() as db:
        colleague = db.get(User, seed.officer.id)
        officer = User(
            email=f"somchai.{n}@witness.example",
            name=f"Somchai Jaidee {n}",
            role=Role.liaison_officer,
            organisation_id=colleague.organisation_id,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        db.add(officer)
        db.commit()
        return Account(officer.id, officer.email, officer.name)


def test_a_thai_officer_switches_the_interface_to_thai(tab, live_server, seed, sign_in):
    officer = _thai_officer(live_server, seed)
    sign_in(officer)
    nav = tab.locator("#site-menu")
    expect(nav.get_by_role("link", name="Witnesses")).to_be_visible()

    tab.get_by_role("link", name="Language").click()
    tab.get_by_label("Language of my pages").select_option(label="ไทย")
    tab.get_by_role("button", name="Save").click()

    expect(tab.get_by_role("status")).to_have_text("ตอนนี้หน้าต่าง ๆ ของคุณแสดงเป็นภาษาที่คุณเลือกแล้ว")
    expect(tab.locator("html")).to_have_attribute("lang", "th")
    expect(nav.get_by_role("link", name="พยาน")).to_be_visible()
    expect(nav.get_by_role("link", name="สัปดาห์ของฉัน")).to_be_visible()
    assert not re.search("[A-Za-z]", nav.inner_text()), nav.inner_text()

    nav.get_by_role("link", name="พยาน").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("พยาน")
    expect(tab.get_by_role("button", name="กรอง")).to_be_visible()
    assert not re.search("[A-Za-z]", nav.inner_text())

    tab.goto("/calendar/week")
    heading = tab.get_by_role("heading", level=1)
    expect(heading).to_contain_text("สัปดาห์ของฉัน")
    expect(heading).to_contain_text(re.compile(r"25\d\d"))  # a Buddhist-era year
