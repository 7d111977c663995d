"""WSGI entry point, for gunicorn: ``gunicorn burden.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")
application = get_wsgi_application()
