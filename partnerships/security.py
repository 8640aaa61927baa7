"""Response headers Django and the packages we use do not set themselves."""

from django.conf import settings


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
