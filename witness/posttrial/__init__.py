"""After the trial: impact statements, compensation, property held as evidence, and closing a
witness's part in a case."""

from flask import Blueprint

bp = Blueprint("posttrial", __name__, url_prefix="/after-trial")
