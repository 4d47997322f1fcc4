"""Retention: closing a witness's file (with the final notice), legal holds, and anonymising
the file once the retention period after closure has passed."""

from flask import Blueprint

bp = Blueprint("retention", __name__)
