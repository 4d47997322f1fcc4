"""The readable PDF alone (pure: a document in, bytes out): the witness's name in its own script
whatever the script, every font embedded, the withheld list with reasons, long text across
pages."""

from __future__ import annotations

import pytest

from tests import pdf_read
from witness.subject_access.collect import SCHEMA, SECTIONS
from witness.subject_access.export_pdf import render_pdf

NAMES = {
    "thai": "สมหญิง ใจดี",
    "khmer": "សុខ ចាន់ធី",
    "vietnamese": "Nguyễn Thị Hồng",
    "arabic": "فاطمة الزهراء",
}


def _doc(name: str, **sections) -> dict:
    doc = {
        "schema": SCHEMA,
        "generated_dt": "2026-03-10T09:00:00+00:00",
        "timezone": "Asia/Bangkok",
        "request": {
            "id": 1,
            "received_date": "2026-03-05",
            "identity_check": "Seen in person",
            "prepared_by": "Jo Bloggs",
        },
        "withheld": [
            {
                "section": "risk_incidents",
                "what": "Who reported each incident",
                "reason": "Names a third party.",
                "count": 2,
            }
        ],
        **{key: [] for key, _ in SECTIONS},
    }
    doc["personal_details"] = [{"legal_name": name, "reference": "VW-00077"}]
    doc.update(sections)
    return doc


@pytest.mark.parametrize("script", sorted(NAMES))
def test_the_name_prints_in_its_own_script(script):
    pdf = render_pdf(_doc(NAMES[script]))
    if script == "arabic":
        assert pdf_read.contains_in_order(
            pdf_read.reading_words(pdf), pdf_read.words(NAMES[script])
        )
    else:
        assert pdf_read.squeezed(NAMES[script]) in pdf_read.squeezed(pdf_read.text(pdf))
    fonts = pdf_read.fonts(pdf)
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    assert "Helvetica" not in " ".join(f["name"] for f in fonts)


def test_an_empty_section_says_so_and_the_withheld_list_gives_reasons():
    text = " ".join(pdf_read.text(render_pdf(_doc(NAMES["thai"]))).split())
    number = [key for key, _ in SECTIONS].index("appointments") + 1
    assert f"{number}. Appointments (0) Nothing held." in text
    assert "Who reported each incident" in text and "Names a third party." in text
    assert "Incidents" in text  # the section named by its title, not its key


def test_a_letter_longer_than_a_page_breaks_across_pages():
    long = "\n".join(
        f"Paragraph {n} of the letter, as it was printed and posted." for n in range(120)
    )
    pdf = render_pdf(_doc(NAMES["thai"], letters=[{"kind": "verdict", "text": long}]))
    text = pdf_read.text(pdf)
    assert "Paragraph 0 of the letter" in text and "Paragraph 119 of the letter" in text
    pages = pdf_read.pages(pdf)
    assert pages >= 3 and f"Page {pages} of {pages}" in text
