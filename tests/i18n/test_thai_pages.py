"""A Thai liaison officer's pages are in Thai, with dates in the Buddhist era and money and
counts as Thai readers write them; an English user's pages are unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from ..ledger.conftest import record

#: what no Thai page's menu may still say in English
ENGLISH_MENU = ("Witnesses", "Cases", "My week", "Court day", "To tell", "Dashboard")


@pytest.fixture
def thai(db, world):
    world.officer.locale = "th"
    db.flush()
    return world


def _menu(page: str) -> str:
    return page.split('<nav id="site-menu"', 1)[1].split("</nav>", 1)[0]


def test_the_witness_list_in_thai(thai, login):
    page = login(thai.officer).get("/witnesses/").get_data(as_text=True)
    assert '<html lang="th" dir="ltr">' in page
    assert "<h1>พยาน</h1>" in page and "คดีและขั้นตอน" in page
    assert "ช่วงพักฟื้น" in page  # the phase's label, not "Reflection"
    assert "ทั้งหมด" in page  # the count line
    menu = _menu(page)
    assert not [word for word in ENGLISH_MENU if f">{word}<" in menu]


def test_the_witness_page_in_thai_with_a_buddhist_era_date(thai, login):
    page = login(thai.officer).get(f"/witnesses/{thai.assigned.id}").get_data(as_text=True)
    assert "วันเกิด" in page and "ชื่อตามกฎหมาย" in page
    assert "1 ม.ค. 2533" in page  # 1 January 1990, in the Buddhist era
    assert "Date of birth" not in page and "01 Jan 1990" not in page


def test_the_booking_form_in_thai(thai, login):
    url = f"/witnesses/{thai.assigned.id}/appointments/new"
    page = login(thai.officer).get(url).get_data(as_text=True)
    assert "เจ้าหน้าที่ที่เข้าร่วม" in page  # a form label
    assert "ติดตามไปศาล" in page  # an enum's label among the choices
    assert "Staff attending" not in page and "Accompaniment to a hearing" not in page


def test_a_refusal_on_the_booking_form_is_in_thai(thai, login):
    url = f"/witnesses/{thai.assigned.id}/appointments/new"
    response = login(thai.officer).submit(url, {"kind": "counselling"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ระบุวันที่" in page  # "Give the date." beside the field


def test_the_ledger_in_thai_with_thai_money_and_dates(db, thai, login):
    record(
        db, thai.officer, thai.assigned, thai.case, value="1500", currency="THB",
        date_provided=date(2026, 3, 9),
    )  # fmt: skip
    page = login(thai.officer).get(f"/witnesses/{thai.assigned.id}/ledger").get_data(as_text=True)
    assert "บัญชีความช่วยเหลือ" in page
    assert "฿1,500.00" in page  # thousands separator, the baht's sign
    assert "9 มี.ค. 2569" in page  # 9 March 2026, in the Buddhist era
    assert "1500.00 THB" not in page


def test_an_english_user_sees_the_same_pages_as_before(db, world, login):
    record(db, world.officer, world.assigned, world.case, value="1500", currency="THB")
    client = login(world.officer)
    people = client.get("/witnesses/").get_data(as_text=True)
    assert "<h1>Witnesses</h1>" in people and "Reflection" in people
    witness = client.get(f"/witnesses/{world.assigned.id}").get_data(as_text=True)
    assert "Date of birth" in witness and "01 Jan 1990" in witness
    ledger = client.get(f"/witnesses/{world.assigned.id}/ledger").get_data(as_text=True)
    assert "1,500.00 THB" in ledger and "09 Mar 2026" in ledger
    form = client.get(f"/witnesses/{world.assigned.id}/appointments/new")
    assert "Staff attending" in form.get_data(as_text=True)


def test_the_witness_page_links_to_its_forms_in_thai(thai, login):
    """The buttons to the pages of the file's forms, and those pages, in Thai."""
    client = login(thai.officer)
    url = f"/witnesses/{thai.assigned.id}"
    page = client.get(url).get_data(as_text=True)
    for words in ("เพิ่มเข้าคดี", "บันทึกความยินยอม", "บันทึกความต้องการ"):
        assert f">{words}</a>" in page
    assert "Add to a case" not in page and "Record a consent" not in page
    consent = client.get(f"{url}/consents").get_data(as_text=True)
    assert f"บันทึกการตัดสินใจเรื่องความยินยอม · {thai.assigned.reference}" in consent
    assert ">ยกเลิก</a>" in consent  # Cancel
    need = client.get(f"{url}/needs").get_data(as_text=True)
    assert f"บันทึกความต้องการ · {thai.assigned.reference}" in need
