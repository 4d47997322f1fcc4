"""Hearings: listing, moving, vacating and holding them, the special measures each witness needs
at them, the news a witness must be told, and a court's day list."""

from flask import Blueprint

bp = Blueprint("hearings", __name__)
