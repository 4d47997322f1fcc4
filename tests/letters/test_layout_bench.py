"""``flask letters-bench --mixed`` runs on a scratch database: the letters are made and printed
in turn in English, Thai, Vietnamese, Khmer, Indonesian and Arabic, against reportlab alone on
the same words (no timing is asserted: the figures go in the closing note)."""

from click.testing import CliRunner

from witness.letters.bench import letters_bench, measure, table


def test_the_mixed_benchmark_prints_every_language():
    figures = measure(letters=6, mixed=True)
    assert figures["languages"] == "en, th, vi, km, id, ar"
    assert figures["reportlab_alone_s"] > 0 and figures["batch_pdf_mb"] > 0
    assert figures["concatenation_s"] > 0 and figures["pypdf_s"] > 0
    text = table(figures)
    assert "6 letters in en, th, vi, km, id, ar" in text and "ratio Witness" in text


def test_the_command_takes_mixed():
    result = CliRunner().invoke(letters_bench, ["--letters", "2", "--mixed"])
    assert result.exit_code == 0, result.output
    assert "2 letters in en, th" in result.output
