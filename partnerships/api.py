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
from .filters import YEAR, ChoiceFilter, RelatedFilter, YearFilter
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
    """Pages of 20 rows, or `page_size` from 1 to 100. A page size that is not
    one is a 400, a page that does not exist (`0`, `007`, `last`) a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param, "1")
        if not re.fullmatch("[1-9][0-9]*", number):
            raise NotFound
        return number

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not re.fullmatch("[1-9][0-9]{0,2}", value) or int(value) > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a number from 1 to {self.max_page_size}."]}
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = f"Rows per page ({self.page_size} unless given)."
        return parameters


def query_parameter(name, description, schema):
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": description,
        "schema": schema,
    }


def filter_schema(list_filter, model):
    """A list filter's values as JSON Schema has them."""
    if isinstance(list_filter, ChoiceFilter):
        return {"type": "string", "enum": [key for key, _v, _l in list_filter.options(model)]}
    if isinstance(list_filter, YearFilter):
        return {"type": "string", "pattern": f"^{YEAR.pattern}$"}
    if isinstance(list_filter, RelatedFilter):
        return {"type": "string", "pattern": SLUG_PATTERN}
    return {"type": "string"}


def published_or_404(model, slug):
    if not model.objects.published().filter(slug=slug).exists():
        raise NotFound


class PublicFilter(BaseFilterBackend):
    """?partner=<slug>, and the filters of the collection's list page
    (`Collection.filters`, by the same names: ?kind=, ?year=, ?channel=, ?main=).

    A value that cannot be one is a 400, a slug that names no published partner
    or row a 404: every 200 is a list a reader could reach by the links, so
    arbitrary addresses cannot fill the page cache (`public_page` parameters).
    """

    def filter_queryset(self, request, queryset, view):
        if view.collection is None:
            return queryset
        params, model, errors = request.query_params, queryset.model, {}
        partner = params.get("partner")
        if partner is not None:
            if re.fullmatch(SLUG_PATTERN, partner):
                published_or_404(Partner, partner)
                queryset = queryset.filter(partner__slug=partner)
            else:
                errors["partner"] = ["Enter a slug: letters, digits, hyphens or underscores."]
        for list_filter in view.collection.filters:
            text = params.get(list_filter.name)
            if text is None:
                continue
            value = list_filter.parse(model, text)
            if value is None:
                errors[list_filter.name] = ["There is no such choice."]
                continue
            if isinstance(list_filter, RelatedFilter):
                published_or_404(model._meta.get_field(list_filter.field).related_model, value)
            queryset = queryset.filter(list_filter.condition(value))
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_schema_operation_parameters(self, view):
        if view.collection is None:
            return []
        model = view.collection.model
        slug = {"type": "string", "pattern": SLUG_PATTERN}
        return [
            query_parameter("partner", "Only this partner's rows (its slug).", slug),
            *(
                query_parameter(
                    f.name, f"{f.label}, as the list page filters it.", filter_schema(f, model)
                )
                for f in view.collection.filters
            ),
        ]


NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such published row, or page.")
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A parameter's value cannot be one, or a parameter is given twice.",
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

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
        if repeated:
            raise ValidationError({name: ["Give one value only."] for name in repeated})

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
            responses={200: serializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
        ),
        retrieve=extend_schema(
            summary=f"One published {collection.model._meta.verbose_name}",
            responses={200: serializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        ),
    )
    name = f"{collection.model.__name__}ViewSet"
    return schema(type(name, (CollectionViewSet,), {"collection": collection}))


@extend_schema_view(
    list=extend_schema(
        summary="Published partners",
        responses={200: partner_serializer()(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published partner",
        responses={200: partner_serializer(), 400: BAD_REQUEST, 404: NOT_FOUND},
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


def api(view, parameters=()):
    """An API address: cached for anonymous readers like a page (with these
    query parameters too: the view answers 200 only to values it accepts),
    open to other sites' scripts (CORS)."""
    return open_data(public_page(view, parameters=parameters))


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
        path(
            "partners/",
            api(PartnerViewSet.as_view(read), parameters=["page_size"]),
            name="partner-list",
        ),
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
                api(
                    viewset.as_view(read),
                    parameters=["page_size", "partner", *(f.name for f in collection.filters)],
                ),
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
