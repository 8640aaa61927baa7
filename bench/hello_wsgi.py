"""WSGI entry point of the bare reference: gunicorn -c config/gunicorn.py bench.hello_wsgi"""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.hello"

application = get_wsgi_application()
