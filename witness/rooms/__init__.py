"""Rooms: the resources of courts (courtrooms, video-link suites, remote witness sites, waiting
rooms), when they are open and withdrawn, and each room's day."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)
