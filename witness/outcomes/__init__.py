"""Outcomes: what happened in a case and to its defendants (verdicts, sentences, appeals,
custody and release), recorded by staff, posted by court and prison systems, imported from a
prison's release list; each makes a notification task for every entitled victim."""

from flask import Blueprint

bp = Blueprint("outcomes", __name__)
