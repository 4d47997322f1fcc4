"""Scheduling: appointments of witnesses with the staff and interpreters who attend, the
double-booking check and its suggestions, an appointment's page and a member of staff's week."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)
