"""Letters to witnesses: the words per kind, the PDF layout, print batches and the post."""

from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/letters")
