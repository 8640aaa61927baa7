"""The read-only JSON API under /api/: partners and each declared collection,
their OpenAPI 3 schema (/api/schema/) and its documentation page (/api/docs/).

Rows are the open data serializers' (partnerships.open_data), so the API gives
the same values as the downloads. Only published rows, whoever asks: the API
authenticates no one (no session, no password), so a logged-in editor reads
what the public reads, and CSRF does not apply. Answers to anonymous readers
go through the page cache like pages (ETag, Last-Modified, a 304 while
unchanged); only GET, HEAD and OPTIONS are answered, anything else is a 405.
"""

import re

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import JsonResponse
from django.urls import path, re_path, reverse
from django.utils import translation
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .collections import COLLECTIONS
from .models import Partner
from .open_data import collection_serializer, partner_serializer
from .page_cache import public_page
from .security import open_data

app_name = "api"

# A slug as the URLs' `slug` converter takes it (and as JSON Schema writes a pattern).
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


class OneFormat(BaseContentNegotiation):
    """One format, whatever the client's Accept header says: never a 406, and
    a cached answer is right for every reader."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OpenDataPagination(PageNumberPagination):
    """Pages of 20 rows, or `page_size` up to 100 (a larger one gives 100); a
    page size that is not a positive whole number is a 400, a page that does
    not exist a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        # Not DRF's: an empty `page=` is not page 1, nor is "last" the last.
        return request.query_params.get(self.page_query_param, 1)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not re.fullmatch("0*[1-9][0-9]*", value):
            raise ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        digits = value.lstrip("0")
        return self.max_page_size if len(digits) > 3 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page: {self.page_size} unless given, at most {self.max_page_size}."
                )
        return parameters


class PublicFilter(BaseFilterBackend):
    """?partner=<slug>, and each of the collection's `data_filters`: a choice by
    its value (?kind=memorandum-of-cooperation), a foreign key by its row's slug
    (?funding_channel=…). An unknown slug matches nothing; a value that cannot
    be one (an empty one too) is a 400."""

    def filters(self, view):
        model = view.get_queryset().model
        names = ("partner", *view.collection.data_filters) if view.collection else ()
        return {name: model._meta.get_field(name) for name in names}

    def filter_queryset(self, request, queryset, view):
        errors = {}
        for name, field in self.filters(view).items():
            value = request.query_params.get(name)
            if value is None:
                continue
            if field.many_to_one:
                if re.fullmatch(SLUG_PATTERN, value):
                    queryset = queryset.filter(**{f"{name}__slug": value})
                else:
                    errors[name] = ["Enter a slug: letters, digits, hyphens or underscores."]
            elif value in dict(field.choices):
                queryset = queryset.filter(**{name: value})
            else:
                errors[name] = [f"Choose one of: {', '.join(dict(field.choices))}."]
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_schema_operation_parameters(self, view):
        parameters = []
        for name, field in self.filters(view).items():
            if field.many_to_one:
                schema = {"type": "string", "pattern": SLUG_PATTERN}
                description = (
                    f"Only the rows of this {field.related_model._meta.model_name} (its slug)."
                )
            else:
                schema = {"type": "string", "enum": list(dict(field.choices))}
                description = f"Only the rows of this {name}."
            parameters.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": description,
                    "schema": schema,
                }
            )
        return parameters


NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such published row, or page.")
BAD_FILTER = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A filter's or the page size's value cannot be one."
)


class OpenDataViewSet(viewsets.ReadOnlyModelViewSet):
    """Published rows, read-only, for anyone, in JSON."""

    collection = None
    authentication_classes = []
    permission_classes = []
    renderer_classes = [JSONRenderer]
    parser_classes = []
    content_negotiation_class = OneFormat
    pagination_class = OpenDataPagination
    filter_backends = [PublicFilter]

    def lookup(self):
        """The row's key, from its address."""
        return {"partner__slug": self.kwargs["partner_slug"], "slug": self.kwargs["slug"]}

    def get_object(self):
        try:
            return self.get_queryset().get(**self.lookup())
        except ObjectDoesNotExist:
            raise NotFound from None  # "Not found.", as any other address


def collection_viewset(collection):
    """The API of one declared collection: its list (every partner's, or one's)
    and each row, known by its partner's slug and its own."""
    serializer = collection_serializer(collection)

    class CollectionViewSet(OpenDataViewSet):
        serializer_class = serializer

        def get_queryset(self):
            return self.collection.published_rows()

    plural = collection.model._meta.verbose_name_plural
    schema = extend_schema_view(
        list=extend_schema(
            summary=f"Published {plural}",
            responses={200: serializer(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
        ),
        retrieve=extend_schema(
            summary=f"One published {collection.model._meta.verbose_name}",
            responses={200: serializer, 404: NOT_FOUND},
        ),
    )
    name = f"{collection.model.__name__}ViewSet"
    return schema(type(name, (CollectionViewSet,), {"collection": collection}))


@extend_schema_view(
    list=extend_schema(
        summary="Published partners",
        responses={200: partner_serializer()(many=True), 400: BAD_FILTER, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published partner", responses={200: partner_serializer(), 404: NOT_FOUND}
    ),
)
class PartnerViewSet(OpenDataViewSet):
    serializer_class = partner_serializer()
    lookup_field = "slug"
    lookup_url_kwarg = "partner_slug"  # the page cache's scope: the partner's

    def lookup(self):
        return {"slug": self.kwargs["partner_slug"]}

    def get_queryset(self):
        return Partner.objects.published().prefetch_related("concerns").order_by("name", "pk")


class ApiRootView(APIView):
    """Where everything is: each list, the schema and its documentation."""

    authentication_classes = []
    permission_classes = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OneFormat

    @extend_schema(exclude=True)
    def get(self, request):
        names = ["partner", *(collection.name for collection in COLLECTIONS)]
        links = {name: request.build_absolute_uri(reverse(f"api:{name}-list")) for name in names}
        for name in ("schema", "docs"):
            links[name] = request.build_absolute_uri(reverse(f"api:{name}"))
        return Response(links)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, in JSON and in the source language, whatever the
    reader's: one address, one document."""

    renderer_classes = [OpenApiJsonRenderer2]
    content_negotiation_class = OneFormat

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, from drf-spectacular-sidecar's copy in our static files; its
    settings script is a file of this site too (?script), so the page runs under
    the site's Content-Security-Policy."""

    url_name = "api:schema"
    content_negotiation_class = OneFormat
    template_name = "api/docs.html"
    template_name_js = "api/docs.js"


def not_found(request, path):
    """Any other address under /api/ that ends with a slash (one whose slug
    cannot be a slug, say): a 404 in JSON, as the API's own are."""
    return JsonResponse({"detail": "Not found."}, status=404)


def api(view):
    """An API address: cached for anonymous readers like a page, open to other
    sites' scripts (CORS)."""
    return open_data(public_page(view))


def api_patterns():
    read = {"get": "list"}
    one = {"get": "retrieve"}
    patterns = [
        path("", api(ApiRootView.as_view()), name="root"),
        path("schema/", api(SchemaView.as_view()), name="schema"),
        # Swagger UI's stylesheet draws its icons as data: images: allowed on this
        # page only. Not cached whole: django-csp reads this from the answer, not
        # from what the page cache keeps.
        path("docs/", csp_update({"img-src": "data:"})(DocsView.as_view()), name="docs"),
        path("partners/", api(PartnerViewSet.as_view(read)), name="partner-list"),
        path(
            "partners/<slug:partner_slug>/",
            api(PartnerViewSet.as_view(one)),
            name="partner-detail",
        ),
    ]
    for collection in COLLECTIONS:
        viewset = collection_viewset(collection)
        patterns += [
            path(
                f"{collection.segment}/",
                api(viewset.as_view(read)),
                name=f"{collection.name}-list",
            ),
            path(
                f"{collection.segment}/<slug:partner_slug>/<slug:slug>/",
                api(viewset.as_view(one)),
                name=f"{collection.name}-detail",
            ),
        ]
    # Last; without a final slash, Django's APPEND_SLASH redirect comes first.
    patterns.append(re_path(r"^(?P<path>[\s\S]*/)\Z", open_data(not_found)))
    return patterns


urlpatterns = api_patterns()
