"""Risk: assessments by a versioned instrument, reassessments due by level and by triggers,
incidents, and the lists that keep reviews on time."""

from flask import Blueprint

bp = Blueprint("risk", __name__, url_prefix="/risk")
