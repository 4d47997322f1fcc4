"""Backups that restore (issue 17): ``flask backup``, ``flask restore`` and
``flask backup-verify``, each file encrypted and authenticated under a key kept outside the
database and away from the backups."""
