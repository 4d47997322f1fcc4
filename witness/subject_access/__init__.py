"""The witness's own data: access requests answered with everything held about them (JSON and a
readable PDF, with what is withheld and why), and correction requests with their outcome."""

from flask import Blueprint

bp = Blueprint("subject_access", __name__)
