"""gunicorn's entry point (``gunicorn --config gunicorn.conf.py wsgi:app``): one app per worker."""

from app import create_app

app = create_app()
