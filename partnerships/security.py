"""Response headers Django and the packages we use do not set themselves."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers


class CrossOriginResourcePolicyMiddleware:
    """`Cross-Origin-Resource-Policy`: other sites may not embed our pages,
    images or files (Django sets the opener policy, not this one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


def open_data(view):
    """Marks a view whose answers any site's scripts may read (CORS): the API
    and the data downloads."""

    @wraps(view)
    def answer(*args, **kwargs):
        return view(*args, **kwargs)

    answer.open_data = True
    return answer


class OpenDataCorsMiddleware:
    """`Access-Control-Allow-Origin: *` on open data read anonymously.

    Only GET, HEAD and OPTIONS (a preflight is answered here), and only for a
    request without credentials: one with a cookie or an `Authorization` header
    gets no CORS header, so no other site's script reads anything through a
    reader's login (the data never changes with one, but a session stays
    same-origin). django-cors-headers allows origins, not requests: it cannot
    leave the header off a credentialed request, which is the whole rule here.

    First in MIDDLEWARE, outside the page cache: a cached answer is the same for
    every reader, and gets the header or not as each request's credentials say.
    Which view answers, the page cache has resolved (`request.public_page`, for
    its hits too); Django's handler tells the rest (`process_view`).
    """

    methods = ("GET", "HEAD", "OPTIONS")
    # What a script may send (If-None-Match makes a GET "non-simple") and read.
    request_headers = ("Accept", "If-Modified-Since", "If-None-Match")
    exposed_headers = ("Content-Disposition", "ETag")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        view = getattr(request, "open_data_view", None) or getattr(request, "public_page", None)
        if getattr(view, "open_data", False):
            patch_vary_headers(response, ("Cookie", "Authorization"))
            if self.anonymous(request):
                response.headers["Access-Control-Allow-Origin"] = "*"
                response.headers["Access-Control-Expose-Headers"] = ", ".join(self.exposed_headers)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.open_data_view = view_func
        preflight = (
            request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        )
        if not (getattr(view_func, "open_data", False) and preflight and self.anonymous(request)):
            return None
        response = HttpResponse(status=204)
        response.headers["Access-Control-Allow-Methods"] = ", ".join(self.methods)
        response.headers["Access-Control-Allow-Headers"] = ", ".join(self.request_headers)
        response.headers["Access-Control-Max-Age"] = "86400"
        return response

    def anonymous(self, request):
        return (
            request.method in self.methods
            and not request.headers.get("Cookie")
            and not request.headers.get("Authorization")
        )
