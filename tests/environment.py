"""Loaded by pytest before Django reads its settings (``-p tests.environment`` in pyproject.toml).

``DEBUG`` is off unless set, and a settings module without ``DEBUG`` and without a
``SECRET_KEY`` refuses to load; the suite runs on the development defaults (the
embedded SQLite, the development key) without anyone exporting anything. pytest-django
still runs each test with ``settings.DEBUG = False``, as production does. An explicit
``DEBUG`` in the environment is left alone.
"""

import os

os.environ.setdefault("DEBUG", "True")
