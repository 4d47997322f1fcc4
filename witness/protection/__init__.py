"""The protection plan: what is done to keep a witness safe, by whom, by when, and agreed with
the witness."""

from flask import Blueprint

bp = Blueprint("protection", __name__)
