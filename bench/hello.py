"""The bare Django reference that bench/run.py measures the site against.

Settings, URLs and the one view in a single module: a view returning a short
string, with no middleware, no installed apps, no database and no templates.
Its requests/s under the site's own gunicorn settings (config/gunicorn.py, the
same number of workers) is what Django and gunicorn alone cost per request, so
each page's figure is reported as a share of it. bench/hello_wsgi.py serves it.
"""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-hello-reference-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = __name__
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True


def hello(request):
    return HttpResponse("Hello, world.", content_type="text/plain; charset=utf-8")


urlpatterns = [path("", hello)]
