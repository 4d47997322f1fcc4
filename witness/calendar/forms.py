"""The calendar pages' forms."""

from flask_wtf import FlaskForm


class FeedForm(FlaskForm):
    """Creating a feed asks nothing: the form carries only its CSRF token."""
