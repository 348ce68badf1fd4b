"""Thin viewsets: what each list reads, who sees drafts, and the workflow actions."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportTable,
    Section,
    SharingMethod,
)
from hotline.services.province import PROVINCE, province_page
from hotline.services.reports import report_publish, report_reopen, report_submit

from . import filters, serializers
from .caching import PublicCache, PublicCacheListMixin, PublicCacheMixin
from .checks import report_checks
from .exceptions import Conflict
from .pagination import CursorPagination
from .permissions import CanChangeReports
from .renderers import JSONRenderer, ProvinceCSVRenderer
from .throttling import AnonThrottle

INTEGER_ID = r"[0-9]{1,18}"
SLUG = r"[-a-zA-Z0-9_]{1,80}"
CODE = r"[-a-zA-Z0-9_.]{1,80}"


def ensure_draft(report):
    """The report, locked against a concurrent publish, must still be a draft."""
    AnnualReport.private_objects.select_for_update().get(pk=report.pk).ensure_editable()


class ReferenceViewSet(PublicCacheMixin, viewsets.ReadOnlyModelViewSet):
    """Regions and the catalogue: public, the same for everyone."""


@extend_schema_view(
    list=extend_schema(
        summary="List regions",
        description="Jiangsu, its cities and their districts, counties and zones.",
    ),
    retrieve=extend_schema(summary="One region"),
)
class RegionViewSet(ReferenceViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    ordering_fields = ["order", "slug", "name"]
    lookup_field = "slug"
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(summary="List report sections"),
    retrieve=extend_schema(summary="One report section"),
)
class SectionViewSet(ReferenceViewSet):
    queryset = Section.objects.all()
    serializer_class = serializers.SectionSerializer
    filterset_class = None
    ordering_fields = ["number", "code"]
    lookup_field = "code"
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(summary="List report tables"),
    retrieve=extend_schema(summary="One report table"),
)
class ReportTableViewSet(ReferenceViewSet):
    queryset = ReportTable.objects.select_related("section")
    serializer_class = serializers.ReportTableSerializer
    filterset_class = filters.ReportTableFilter
    ordering_fields = ["order", "code"]
    lookup_field = "code"
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(
        summary="List indicators",
        description="The indicator catalogue: every cell of the report template, with its unit.",
    ),
    retrieve=extend_schema(summary="One indicator"),
)
class IndicatorViewSet(ReferenceViewSet):
    queryset = Indicator.objects.select_related("table__section")
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    ordering_fields = ["code"]
    lookup_field = "code"
    lookup_value_regex = CODE


@extend_schema_view(
    list=extend_schema(summary="List appeal categories"),
    retrieve=extend_schema(summary="One appeal category"),
)
class AppealCategoryViewSet(ReferenceViewSet):
    queryset = AppealCategory.objects.all()
    serializer_class = serializers.AppealCategorySerializer
    filterset_class = None
    ordering_fields = ["order", "code"]
    lookup_field = "code"
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(summary="List data-sharing methods"),
    retrieve=extend_schema(summary="One data-sharing method"),
)
class SharingMethodViewSet(ReferenceViewSet):
    queryset = SharingMethod.objects.all()
    serializer_class = serializers.SharingMethodSerializer
    filterset_class = None
    ordering_fields = ["order", "code"]
    lookup_field = "code"
    lookup_value_regex = SLUG


@extend_schema_view(
    list=extend_schema(summary="List departments"),
    retrieve=extend_schema(summary="One department"),
    create=extend_schema(summary="Add a department"),
    update=extend_schema(summary="Replace a department"),
    partial_update=extend_schema(summary="Change a department"),
    destroy=extend_schema(summary="Delete a department that nothing refers to"),
)
class DepartmentViewSet(PublicCacheMixin, viewsets.ModelViewSet):
    queryset = Department.objects.select_related("region")
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "id"]
    lookup_value_regex = INTEGER_ID

    def perform_destroy(self, instance):
        # Many-to-many links would vanish silently from published records: refuse instead.
        if instance.sharing_requests.exists() or instance.policy_documents.exists():
            raise Conflict(_("Records still name this department; change them first."))
        instance.delete()


class ReportScopedMixin:
    """Records of annual reports: drafts only for staff who may view them."""

    @property
    def model(self):
        return self.queryset.model

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class DraftWritesMixin:
    """Writes to a report's records: only while the report is a draft."""

    def update(self, request, *args, **kwargs):
        self.get_object().report.ensure_editable()  # 403 before the input is validated
        return super().update(request, *args, **kwargs)

    @transaction.atomic
    def perform_create(self, serializer):
        ensure_draft(serializer.validated_data["report"])
        serializer.save()

    @transaction.atomic
    def perform_update(self, serializer):
        ensure_draft(serializer.instance.report)
        target = serializer.validated_data.get("report")
        if target is not None and target.pk != serializer.instance.report_id:
            ensure_draft(target)
        serializer.save()

    @transaction.atomic
    def perform_destroy(self, instance):
        ensure_draft(instance.report)
        instance.delete()


REPORT_RECORD = "{what} of the reports you may see: published ones, and drafts for staff."


@extend_schema_view(
    list=extend_schema(
        summary="List figures",
        description=REPORT_RECORD.format(what="Published values")
        + " Each with its labels, unit, published change and the change computed from last "
        "year's stored report. Cursor-paginated.",
    ),
    retrieve=extend_schema(summary="One figure"),
    create=extend_schema(summary="Add a figure to a draft report"),
    update=extend_schema(summary="Replace a figure of a draft report"),
    partial_update=extend_schema(summary="Change a figure of a draft report"),
    destroy=extend_schema(summary="Delete a figure of a draft report"),
)
class FigureViewSet(ReportScopedMixin, DraftWritesMixin, PublicCacheMixin, viewsets.ModelViewSet):
    queryset = Figure.private_objects.select_related("report__region", "indicator__table__section")
    serializer_class = serializers.FigureSerializer
    filterset_class = filters.FigureFilter
    pagination_class = CursorPagination
    ordering_fields = ["id"]
    lookup_value_regex = INTEGER_ID

    def paginate_queryset(self, queryset):
        # The list's page is read as values, not figures (FigureListSerializer.read).
        return super().paginate_queryset(serializers.FigureListSerializer.read(queryset))


@extend_schema_view(
    list=extend_schema(summary="List appeal counts", description="The counts TOP5 tables rank."),
    retrieve=extend_schema(summary="One appeal count"),
    create=extend_schema(summary="Add an appeal count to a draft report"),
    update=extend_schema(summary="Replace an appeal count of a draft report"),
    partial_update=extend_schema(summary="Change an appeal count of a draft report"),
    destroy=extend_schema(summary="Delete an appeal count of a draft report"),
)
class AppealCountViewSet(
    ReportScopedMixin, DraftWritesMixin, PublicCacheMixin, viewsets.ModelViewSet
):
    queryset = AppealCount.private_objects.select_related(
        "report__region", "department", "category"
    )
    serializer_class = serializers.AppealCountSerializer
    filterset_class = filters.AppealCountFilter
    ordering_fields = ["count", "id"]
    lookup_value_regex = INTEGER_ID


@extend_schema_view(
    list=extend_schema(
        summary="TOP5 rankings",
        description="For each report and appeal type, the five departments and the five appeal "
        "categories with the most appeals, ranked.",
    )
)
class TopFiveViewSet(
    ReportScopedMixin, PublicCacheListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    queryset = AppealCount.private_objects.select_related(
        "report__region", "department", "category"
    )
    serializer_class = serializers.TopFiveSerializer
    filterset_class = filters.TopFiveFilter
    filter_backends = [DjangoFilterBackend]  # a fixed order: by report, then by rank

    def get_queryset(self):
        return super().get_queryset().with_ranking()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return (
            queryset.with_rank()
            .filter(rank__lte=5)
            .order_by("-report__year", "report__region__order", "appeal_type", "ranking", "rank")
        )


@extend_schema_view(
    list=extend_schema(summary="List live-broadcast episodes (政风热线)"),
    retrieve=extend_schema(summary="One episode"),
    create=extend_schema(summary="Add an episode to a draft report"),
    update=extend_schema(summary="Replace an episode of a draft report"),
    partial_update=extend_schema(summary="Change an episode of a draft report"),
    destroy=extend_schema(summary="Delete an episode of a draft report"),
)
class EpisodeViewSet(ReportScopedMixin, DraftWritesMixin, PublicCacheMixin, viewsets.ModelViewSet):
    queryset = LivestreamEpisode.private_objects.select_related("report__region").prefetch_related(
        Prefetch("guests", queryset=EpisodeGuest.objects.select_related("department"))
    )
    serializer_class = serializers.EpisodeSerializer
    filterset_class = filters.EpisodeFilter
    ordering_fields = ["number", "aired_on", "appeals_received", "id"]
    lookup_value_regex = INTEGER_ID


@extend_schema_view(
    list=extend_schema(summary="List data-sharing requests", description="Cursor-paginated."),
    retrieve=extend_schema(summary="One data-sharing request"),
    create=extend_schema(summary="Add a data-sharing request to a draft report"),
    update=extend_schema(summary="Replace a data-sharing request of a draft report"),
    partial_update=extend_schema(summary="Change a data-sharing request of a draft report"),
    destroy=extend_schema(summary="Delete a data-sharing request of a draft report"),
)
class SharingRequestViewSet(
    ReportScopedMixin, DraftWritesMixin, PublicCacheMixin, viewsets.ModelViewSet
):
    queryset = DataSharingRequest.private_objects.select_related(
        "report__region", "region"
    ).prefetch_related("recipients", "methods")
    serializer_class = serializers.SharingRequestSerializer
    filterset_class = filters.SharingRequestFilter
    pagination_class = CursorPagination
    ordering_fields = ["id", "records"]
    lookup_value_regex = INTEGER_ID


@extend_schema_view(
    list=extend_schema(summary="List policy documents"),
    retrieve=extend_schema(summary="One policy document"),
    create=extend_schema(summary="Add a policy document to a draft report"),
    update=extend_schema(summary="Replace a policy document of a draft report"),
    partial_update=extend_schema(summary="Change a policy document of a draft report"),
    destroy=extend_schema(summary="Delete a policy document of a draft report"),
)
class PolicyDocumentViewSet(
    ReportScopedMixin, DraftWritesMixin, PublicCacheMixin, viewsets.ModelViewSet
):
    queryset = PolicyDocument.private_objects.select_related("report__region").prefetch_related(
        "issuers"
    )
    serializer_class = serializers.PolicyDocumentSerializer
    filterset_class = filters.PolicyDocumentFilter
    ordering_fields = ["order", "issued_on", "id"]
    lookup_value_regex = INTEGER_ID


REPORT_ACTION = OpenApiResponse(
    serializers.ReportSerializer, description="The report after the step."
)


@extend_schema_view(
    list=extend_schema(summary="List annual reports"),
    retrieve=extend_schema(summary="One annual report"),
    create=extend_schema(summary="Start a draft report"),
    update=extend_schema(summary="Replace a draft report's details"),
    partial_update=extend_schema(summary="Change a draft report's details"),
    destroy=extend_schema(summary="Delete a draft report and its records"),
)
class ReportViewSet(PublicCacheMixin, viewsets.ModelViewSet):
    """One city's report for one year, named /reports/<city>/<year>/."""

    queryset = AnnualReport.private_objects.select_related("region")
    serializer_class = serializers.ReportSerializer
    filterset_class = filters.ReportFilter
    ordering_fields = ["year", "updated_at", "published_at"]
    lookup_regex = r"(?P<city>[-a-z0-9]{1,60})/(?P<year>[0-9]{4})"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self):
        report = get_object_or_404(
            self.get_queryset(), region__slug=self.kwargs["city"], year=int(self.kwargs["year"])
        )
        self.check_object_permissions(self.request, report)
        return report

    def update(self, request, *args, **kwargs):
        self.get_object().ensure_editable()  # 403 before the input is validated
        return super().update(request, *args, **kwargs)

    @transaction.atomic
    def perform_update(self, serializer):
        ensure_draft(serializer.instance)
        serializer.save()

    @transaction.atomic
    def perform_destroy(self, instance):
        ensure_draft(instance)
        instance.delete()

    def workflow_step(self, service, **kwargs):
        report = service(report=self.get_object(), by=self.request.user, **kwargs)
        return Response(self.get_serializer(report).data)

    @extend_schema(
        summary="Submit a draft for review",
        request=None,
        responses={200: REPORT_ACTION},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReports])
    def submit(self, request, city, year):
        return self.workflow_step(report_submit)

    @extend_schema(
        summary="Publish a report (reviewers only)",
        request=None,
        responses={200: REPORT_ACTION},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReports])
    def publish(self, request, city, year):
        return self.workflow_step(report_publish)

    @extend_schema(
        summary="Reopen a report as a draft, with a reason (reviewers only)",
        request=serializers.ReopenSerializer,
        responses={200: REPORT_ACTION},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanChangeReports])
    def reopen(self, request, city, year):
        given = serializers.ReopenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return self.workflow_step(report_reopen, reason=given.validated_data["reason"])

    @extend_schema(
        summary="The result of the report's figure checks",
        description=(
            "Every published figure that disagrees with its parts or with last year, with the "
            "published and computed values and the arithmetic; and the checks not made."
        ),
        responses={200: serializers.CheckResultSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def checks(self, request, city, year):
        return self.cached(
            lambda request, **kwargs: Response(report_checks(self.get_object(), request.user)),
            request,
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="The province's year: every city's published report side by side",
        description=(
            "Jiangsu's cities that have published their report of the year, each with how many "
            "discrepancies its figure checks find; every indicator with each city's published "
            "figure; and the province total, for counts every city reported only, with how "
            "many cities it covers. Drafts are never shown: staff who see drafts are told how "
            "many there are. As CSV: one row per indicator, each city a column."
        ),
    )
)
class ProvinceViewSet(PublicCache, viewsets.GenericViewSet):
    """The province's view of a year, as the site's page /reports/jiangsu/<year>/ shows it."""

    serializer_class = serializers.ProvinceSerializer
    permission_classes = [AllowAny]  # reads only
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, ProvinceCSVRenderer]
    filter_backends = []
    pagination_class = None
    lookup_regex = rf"{PROVINCE}/(?P<year>[0-9]{{4}})"

    def retrieve(self, request, year):
        return self.cached(lambda request, **kwargs: self.answer(int(year)), request)

    def answer(self, year):
        try:
            if year not in AnnualReport.YEARS:
                raise AnnualReport.DoesNotExist
            page = province_page(self.request.user, year)
        except (Region.DoesNotExist, AnnualReport.DoesNotExist):
            raise NotFound(_("No city has published a report for this year.")) from None
        return Response(self.get_serializer(page).data)


class TokenView(GenericAPIView):
    """Staff exchange their user name and password for an API token."""

    serializer_class = serializers.TokenRequestSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonThrottle]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Get an API token (staff)",
        responses={200: serializers.TokenSerializer},
    )
    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(request, **given.validated_data)
        if user is None or not user.is_active or not user.is_staff:
            # Raised, not returned: an error is JSON whatever format was asked for.
            raise ValidationError(
                {"non_field_errors": [_("These credentials are not those of a staff account.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@csrf_exempt  # a write to nothing is a 404, not the CSRF failure page
def not_found(request, *args, **kwargs):
    """A URL under the API that names nothing (an id that is not a number): a JSON 404 like every
    other answer of the API, not the site's HTML page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
