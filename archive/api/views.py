"""Read-only viewsets: each starts from its model's `visible_to(user)` and a named QuerySet
method (the same reads and orders as the pages), plus a FilterSet.

`?lang=all` on any list or record adds every language of each translated field
(`name_translations` beside `name`, archive/api/serializers.py); any other value of `lang` is a
400. The translated fields themselves keep following Accept-Language.

Every response to a read is public and cacheable (Cache-Control: public, max-age=300) and open to
any origin (Access-Control-Allow-Origin: *). Anything but GET, HEAD and OPTIONS gets 405.
"""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from ..filters import EditionFilter, OrganizationFilter, ParticipantFilter
from ..http.cors import open_to_other_origins
from ..http.lookups import visible_edition_or_404, visible_sub_forum_or_404
from ..http.page_cache import filterset_parameters
from ..models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)
from . import serializers
from .filters import AppearanceFilter, StatementFilter, SubForumFilter
from .pagination import ArchivePagination

CACHE_CONTROL = "public, max-age=300"

#: ?lang=all: every language of each translated field; the only value `lang` takes.
LANGUAGES_PARAMETER, ALL_LANGUAGES = "lang", "all"


class UnknownParameters(APIException):
    status_code = 400
    default_code = "unknown_parameter"

    def __init__(self, unknown, allowed):
        shown = ", ".join(sorted(allowed - {"format"})) or "none"
        super().__init__(
            {
                "detail": f"Unknown query parameter: {', '.join(unknown)}. "
                f"This address takes: {shown}.",
                "allowed_parameters": sorted(allowed),
            }
        )


class OpenReadMixin:
    """Anonymous, read-only, cacheable and open to other origins."""

    authentication_classes = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            open_to_other_origins(response, request)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response["Cache-Control"] = CACHE_CONTROL
        return response


class ArchiveViewSet(OpenReadMixin, viewsets.ReadOnlyModelViewSet):
    """Records of `model` as the public sees them: `visible_to(user).for_api()`."""

    model = None
    #: Query parameters every list and record reads. The page cache does not know them, so an
    #: answer to ?lang=all is built afresh each time (and is never mixed up with a plain one).
    query_parameters = {LANGUAGES_PARAMETER}
    pagination_class = ArchivePagination
    filter_backends = [DjangoFilterBackend]
    lookup_field = "slug"

    @property
    def user(self):
        return self.request.user

    def get_queryset(self):
        return self.model.objects.visible_to(self.user).for_api()

    def allowed_parameters(self):
        """The query parameters this address reads: a list's filters and paging; a record's
        none (`format` is DRF's own, `?format=json`)."""
        names = {"format", *self.query_parameters}
        if self.action == "list":
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                names |= filterset_parameters(filterset_class)
            names |= {self.paginator.page_query_param, self.paginator.page_size_query_param}
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_parameters()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            # A misspelt filter must not quietly return the whole list.
            raise UnknownParameters(unknown, allowed)
        languages = request.query_params.getlist(LANGUAGES_PARAMETER)
        if languages and languages != [ALL_LANGUAGES]:
            raise ValidationError(
                {
                    LANGUAGES_PARAMETER: [
                        f"Unknown value: {', '.join(languages)}. The only value is "
                        f"{ALL_LANGUAGES!r}, for every language of each translated field; "
                        "the language of the fields themselves is chosen by Accept-Language."
                    ]
                }
            )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["all_languages"] = LANGUAGES_PARAMETER in self.request.query_params
        return context


EDITION_KEY_PARAMETER = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="The edition as forum slug, hyphen, number: e.g. beijing-tokyo-forum-20.",
)


class ForumViewSet(ArchiveViewSet):
    """Forum series, such as the Beijing-Tokyo Forum."""

    serializer_class = serializers.ForumSerializer

    model = Forum


@extend_schema_view(retrieve=extend_schema(parameters=[EDITION_KEY_PARAMETER]))
class EditionViewSet(ArchiveViewSet):
    """Editions of every forum, latest first. Filters as on /editions/."""

    serializer_class = serializers.EditionSerializer
    filterset_class = EditionFilter
    lookup_field = "key"

    model = Edition

    def get_object(self):
        return visible_edition_or_404(self.get_queryset(), self.kwargs["key"])


@extend_schema_view(retrieve=extend_schema(parameters=[EDITION_KEY_PARAMETER]))
class SubForumViewSet(ArchiveViewSet):
    """Sessions of published editions: plenaries, sub-forums and panels."""

    serializer_class = serializers.SubForumSerializer
    filterset_class = SubForumFilter

    model = SubForum

    def get_object(self):
        return visible_sub_forum_or_404(
            self.get_queryset(), self.kwargs["key"], self.kwargs["slug"]
        )


class ParticipantViewSet(ArchiveViewSet):
    """People who appeared at a published edition. Filters as on /participants/."""

    serializer_class = serializers.ParticipantSerializer
    filterset_class = ParticipantFilter

    model = Participant


class OrganizationViewSet(ArchiveViewSet):
    """Organizations that organized a forum or edition, or that a participant appeared for."""

    serializer_class = serializers.OrganizationSerializer
    filterset_class = OrganizationFilter

    model = Organization


def _appearance_lookup(kwargs):
    return {
        "participant__slug": kwargs["participant"],
        "role": kwargs["role"],
        **(
            {"sub_forum__slug": kwargs["sub_forum"]}
            if "sub_forum" in kwargs
            else {"sub_forum__isnull": True}
        ),
    }


@extend_schema_view(retrieve=extend_schema(parameters=[EDITION_KEY_PARAMETER]))
class AppearanceViewSet(ArchiveViewSet):
    """Who appeared where, in what role, and as what (position and organization at the time)."""

    serializer_class = serializers.AppearanceSerializer
    filterset_class = AppearanceFilter

    model = Appearance

    def get_object(self):
        edition = visible_edition_or_404(self.user, self.kwargs["key"])
        queryset = self.get_queryset().filter(edition=edition, **_appearance_lookup(self.kwargs))
        appearance = queryset.first()
        if appearance is None:
            raise Http404
        return appearance


@extend_schema_view(
    retrieve=extend_schema(
        operation_id="appearances_session_retrieve", parameters=[EDITION_KEY_PARAMETER]
    )
)
class SubForumAppearanceViewSet(AppearanceViewSet):
    """An appearance in one session (sub-forum) of an edition."""


@extend_schema_view(retrieve=extend_schema(parameters=[EDITION_KEY_PARAMETER]))
class StatementViewSet(ArchiveViewSet):
    """What participants said: quotes word for word, paraphrases marked as such."""

    serializer_class = serializers.StatementSerializer
    filterset_class = StatementFilter

    model = Statement

    def get_object(self):
        edition = visible_edition_or_404(self.user, self.kwargs["key"])
        lookup = {
            f"appearance__{key}": value for key, value in _appearance_lookup(self.kwargs).items()
        }
        statement = (
            self.get_queryset()
            .filter(appearance__edition=edition, number=self.kwargs["number"], **lookup)
            .first()
        )
        if statement is None:
            raise Http404
        return statement


@extend_schema_view(
    retrieve=extend_schema(
        operation_id="statements_session_retrieve", parameters=[EDITION_KEY_PARAMETER]
    )
)
class SubForumStatementViewSet(StatementViewSet):
    """A statement made in one session (sub-forum) of an edition."""


class TopicViewSet(ArchiveViewSet):
    """Areas discussed, by editions as a whole or by their sessions."""

    serializer_class = serializers.TopicSerializer

    model = Topic


class SourceViewSet(ArchiveViewSet):
    """Documents the archive's records come from."""

    serializer_class = serializers.SourceSerializer

    model = Source


RESOURCES = [
    "forums",
    "editions",
    "sub-forums",
    "participants",
    "organizations",
    "appearances",
    "statements",
    "topics",
    "sources",
]
LIST_NAMES = {
    "forums": "forum-list",
    "editions": "edition-list",
    "sub-forums": "sub-forum-list",
    "participants": "participant-list",
    "organizations": "organization-list",
    "appearances": "appearance-list",
    "statements": "statement-list",
    "topics": "topic-list",
    "sources": "source-list",
}


class ApiRootView(OpenReadMixin, APIView):
    """Where each list is, and where the API's description and documentation are."""

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        links = {name: reverse(f"api:{LIST_NAMES[name]}", request=request) for name in RESOURCES}
        links["schema"] = reverse("api:schema", request=request)
        links["docs"] = reverse("api:docs", request=request)
        return Response(links)


class SchemaView(OpenReadMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 document, as JSON."""


class DocsView(OpenReadMixin, SpectacularSwaggerSplitView):
    """Swagger UI from this site's own static files; its settings come as a separate script so
    the Content-Security-Policy need not allow inline code."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
