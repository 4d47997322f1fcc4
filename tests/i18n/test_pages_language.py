"""The staff's own language: each user chooses the language of their pages (else their
browser's, among the languages the pages are written in, else English); dates, counts and money
are written as that language writes them. A witness's letter stays in the witness's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from witness.audit.models import AuditEvent
from witness.auth.models import Role
from witness.core.i18n import (
    format_money,
    format_number,
    format_when,
    gettext,
    in_language,
    reader,
)


def test_no_preference_and_no_browser_language_is_english(login, make_user):
    page = login(make_user(Role.liaison_officer)).get("/witnesses/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert ">Witnesses</a>" in page and "พยาน" not in page


def test_a_browser_asking_for_thai_gets_thai_pages(login, make_user):
    client = login(make_user(Role.liaison_officer))
    page = client.get("/witnesses/", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="th" dir="ltr">' in text
    assert ">พยาน</a>" in text and ">สัปดาห์ของฉัน</a>" in text


def test_a_browser_asking_for_a_language_without_pages_gets_english(login, make_user):
    client = login(make_user(Role.liaison_officer))
    text = client.get("/witnesses/", headers={"Accept-Language": "km,vi;q=0.8"}).get_data(
        as_text=True
    )
    assert '<html lang="en"' in text and ">Witnesses</a>" in text


def test_a_user_chooses_thai_and_it_outranks_the_browser(db, login, make_user):
    user = make_user(Role.liaison_officer)
    client = login(user)
    form = client.get("/account/language").get_data(as_text=True)
    assert '<option value="th">ไทย</option>' in form  # each language named in itself
    response = client.submit("/account/language", {"locale": "th"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "ตอนนี้หน้าต่าง ๆ ของคุณแสดงเป็นภาษาที่คุณเลือกแล้ว" in text
    db.refresh(user)
    assert user.locale == "th"
    english_browser = {"Accept-Language": "en-GB,en"}
    assert ">พยาน</a>" in client.get("/witnesses/", headers=english_browser).get_data(as_text=True)
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.language")).one()
    assert audit.actor_id == user.id
    # and back to the browser's choice
    client.submit("/account/language", {"locale": ""})
    db.refresh(user)
    assert user.locale is None
    assert ">Witnesses</a>" in client.get("/witnesses/", headers=english_browser).get_data(
        as_text=True
    )


def test_a_language_the_pages_are_not_written_in_is_refused(db, login, make_user):
    user = make_user(Role.liaison_officer)
    response = login(user).submit("/account/language", {"locale": "km"})
    assert response.status_code == 400
    db.refresh(user)
    assert user.locale is None


def test_dates_counts_and_money_in_thai():
    day = date(2026, 3, 2)
    assert format_when(day, "%d %b %Y", "th") == "2 มี.ค. 2569"  # the Buddhist era
    assert format_when(day, "%d %b %Y", "en") == "02 Mar 2026"  # English unchanged
    assert format_when(day, "%a %d %b", "th") == "จันทร์ 2 มี.ค."
    assert format_when(day, "%Y-%m-%d", "th") == "2026-03-02"  # ISO stays ISO
    instant = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert format_when(instant, "%d %b %Y %H:%M", "th") == "2 มี.ค. 2569 14:30"
    assert format_number(12480, "th") == "12,480" and format_number(12480, "en") == "12,480"
    assert format_money(Decimal("1500"), "THB", "th") == "฿1,500.00"
    assert format_money(Decimal("1500"), "GBP", "en") == "1,500.00 GBP"
    assert format_money(Decimal("75.5"), "GBP", "en") == "75.50 GBP"


def test_a_letter_stays_in_the_witness_language_on_a_thai_page(app):
    """The reader's pages are Thai; inside ``in_language`` (a letter, an e-mail, a call script)
    gettext and the date and money formats are the witness's language's, then Thai again."""
    with app.test_request_context(headers={"Accept-Language": "th"}):
        assert reader() == "th" and gettext("Witnesses") == "พยาน"
        with in_language("en"):
            assert reader() == "en" and gettext("Witnesses") == "Witnesses"
        with in_language("vi"):
            assert reader() == "vi"
        assert gettext("Witnesses") == "พยาน"


def test_thai_pages_carry_their_own_font(client):
    """A computer without a Thai font still shows Thai pages: the stylesheet fetches the Noto
    font the letters embed, for Thai characters only."""
    css = client.get("/static/style.css")
    text = css.get_data(as_text=True)
    css.close()
    assert "fonts/NotoSansThai-Regular.ttf" in text and "U+0E00-0E7F" in text
    font = client.get("/static/fonts/NotoSansThai-Regular.ttf")
    assert font.status_code == 200 and font.data[:4] == b"\x00\x01\x00\x00"
    font.close()


def test_what_leaves_witness_stays_english_on_a_thai_page(app):
    """Calendar files and deadline alerts read as they always have whatever the language of
    the page that made them: never half Thai, half English."""
    from witness.core.i18n import in_english

    @in_english
    def label():
        from witness.scheduling.models import AppointmentKind

        return AppointmentKind.accompaniment.label, format_when(date(2026, 3, 2), "%d %b", reader())

    with app.test_request_context(headers={"Accept-Language": "th"}):
        assert label() == ("Accompaniment to a hearing", "02 Mar")
        assert reader() == "th"
