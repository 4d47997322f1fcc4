"""The letters' fixtures, for the letters written in each language."""

from ..letters.conftest import post  # noqa: F401  (a witness who wants news by post)
