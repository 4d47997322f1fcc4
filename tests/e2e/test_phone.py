"""Witness on a phone (390 by 844, touch): an officer, a supervisor and an NGO worker open every
page of their menu and a witness file. No page scrolls sideways (a wide table scrolls inside
itself), the menu sits behind its button and every link in it can be reached and tapped; the
week is a list of days."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import TIMEOUT_MS, Account, LiveServer
from .test_ledger import _supervisor

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/London",
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3,
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Page, account: Account) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Signed in as {account.name}.")


def _sideways(page: Page) -> int:
    """How far the page itself scrolls sideways, in CSS pixels (0 is right)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _menu_links(page: Page) -> list[str]:
    """Open the menu with its button, check every link is on screen and tappable, close it."""
    menu = page.get_by_role("navigation", name="Main")
    button = page.get_by_role("button", name="Menu")
    expect(menu).to_be_hidden()
    button.tap()
    expect(button).to_have_attribute("aria-expanded", "true")
    links = menu.get_by_role("link")
    hrefs = []
    for i in range(links.count()):
        link = links.nth(i)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["height"] >= 24, (link.inner_text(), box)  # big enough for a finger
        hrefs.append(link.get_attribute("href"))
    button.tap()
    expect(menu).to_be_hidden()
    return hrefs


@pytest.mark.parametrize("role", ["officer", "supervisor", "ngo_worker"])
def test_every_page_of_the_menu_fits_a_phone(phone, live_server, seed, open_witness_file, role):
    witness = open_witness_file()
    account = {"officer": seed.officer, "ngo_worker": seed.ngo_worker}.get(role) or _supervisor(
        live_server, seed
    )
    _sign_in(phone, account)
    pages = _menu_links(phone)
    assert len(pages) >= 5
    extra = ["/account/password", "/account/feeds"]
    if role != "ngo_worker":
        extra.append(f"/witnesses/{witness.id}")
        # the file's forms, each on a page of its own
        extra += [
            f"/witnesses/{witness.id}/{form}" for form in ("participations", "consents", "needs")
        ]
    wide = {}
    for path in pages + extra:
        response = phone.goto(path)
        assert response is not None and response.ok, path
        if _sideways(phone) > 0:
            wide[path] = _sideways(phone)
    assert wide == {}, f"pages wider than a phone (px too wide): {wide}"
    _menu_links(phone)  # still reachable from the last page


def test_the_week_is_a_list_of_days_on_a_phone(phone, live_server, seed):
    _sign_in(phone, seed.officer)
    phone.goto("/calendar/week")
    days = phone.locator("table.week td")
    expect(days).to_have_count(7)
    first, second = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert first and second and second["y"] > first["y"]  # one under another
    label = days.nth(0).evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"').startswith("Mon ")  # each day says which it is
    assert _sideways(phone) == 0
