"""Where the installation's files are: Witness runs from its checkout (templates, static files,
migrations and the instance folder live beside the package)."""

from __future__ import annotations

from pathlib import Path

#: the checkout: the directory that holds ``witness/``, ``templates/`` and ``migrations/``
ROOT = Path(__file__).resolve().parent.parent
