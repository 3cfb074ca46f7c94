"""The API's resources. Every object comes through the door (`visible_to`, the door
functions); every read and write is in the access log with the client as actor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from wattelt.audit.services import log_access, log_list_access
from wattelt.instrument.models import Catalogue, Domain, Goal, Measurement, NotFilledIn
from wattelt.residents.access import resident_access, trajectory_access, visible_one
from wattelt.residents.models import Consent, Resident, Trajectory

from . import idempotency
from .models import ClientPrincipal
from .scopes import READ, WRITE
from .serializers import (
    DoelSerializer,
    InwonerSerializer,
    LeefgebiedSerializer,
    MetingSerializer,
    NietIngevuldSerializer,
    ToestemmingSerializer,
    TrajectSerializer,
)
from .writing import MetingInput, record_confirmed_measurement

ID = {"min_value": 1, "max_value": 2**63 - 1, "required": False}


class ByTrajectory(serializers.Serializer[Any]):
    traject = serializers.IntegerField(help_text="Only those of this trajectory (its id).", **ID)


class ByResident(serializers.Serializer[Any]):
    inwoner = serializers.IntegerField(help_text="Only those of this resident (its id).", **ID)


def _principal(request: Request) -> ClientPrincipal:
    user = request.user
    assert isinstance(user, ClientPrincipal)
    return user


class Resource(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """A list (filtered, paginated) and one object, each read logged."""

    required_scope = READ
    lookup_value_regex = "[0-9]{1,18}"
    object_type = ""
    resident_field = ""
    filters: type[serializers.Serializer[Any]] | None = None
    filter_fields: dict[str, str] = {}

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def resident_of(self, obj: Any) -> int:
        value = obj
        for part in self.resident_field.split("__"):
            value = getattr(value, part)
        return int(value)

    def get_queryset(self) -> QuerySet[Any]:
        visible = self.visible()
        if self.filters is not None and self.action == "list":
            query = self.filters(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            chosen = {
                self.filter_fields[name]: value
                for name, value in query.validated_data.items()
                if value is not None
            }
            visible = visible.filter(**chosen)
        return visible.order_by("pk")

    def get_object(self) -> Any:
        return visible_one(
            self.visible(),
            self.kwargs["pk"],
            object_type=self.object_type,
            resident_field=self.resident_field,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        log_access(request, "read", self.object_type, obj.pk, self.resident_of(obj))
        return Response(self.get_serializer(obj).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        self.log_list(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def log_list(self, request: Request, page: Sequence[Model]) -> None:
        log_list_access(
            request, "read", self.object_type, [(o.pk, self.resident_of(o)) for o in page]
        )


def _listed(filters: type[serializers.Serializer[Any]] | None = None) -> Any:
    return extend_schema_view(
        list=extend_schema(parameters=[filters] if filters else None),
    )


@_listed(ByResident)
class TrajectViewSet(Resource):
    """Support trajectories of residents, visible to the client's teams or shared with
    its organisation under the resident's active consent."""

    serializer_class = TrajectSerializer
    object_type = "trajectory"
    resident_field = "resident_id"
    filters = ByResident
    filter_fields = {"inwoner": "resident_id"}

    def visible(self) -> QuerySet[Trajectory]:
        return Trajectory.objects.visible_to(self.request.user).select_related("team")

    def get_object(self) -> Trajectory:
        return trajectory_access(self.request.user, self.kwargs["pk"]).trajectory


@_listed()
class InwonerViewSet(Resource):
    """Residents with a trajectory visible to the client. The BSN only for the team in
    charge."""

    serializer_class = InwonerSerializer
    object_type = "resident"
    resident_field = "pk"

    def visible(self) -> QuerySet[Resident]:
        return Resident.objects.visible_to(self.request.user).select_related("district")

    def get_serializer_context(self) -> dict[str, Any]:
        in_care = Trajectory.objects.in_care_of(self.request.user).values_list(
            "resident_id", flat=True
        )
        return {**super().get_serializer_context(), "in_care": set(in_care)}

    def get_object(self) -> Resident:
        return resident_access(self.request.user, self.kwargs["pk"]).resident


@_listed(ByTrajectory)
class MetingViewSet(mixins.CreateModelMixin, Resource):
    """Confirmed measurements (and earlier, corrected versions), where the measurements
    are the client's or shared with it. Recording needs `measurements:write`."""

    serializer_class = MetingSerializer
    object_type = "measurement"
    resident_field = "trajectory__resident_id"
    filters = ByTrajectory
    filter_fields = {"traject": "trajectory_id"}
    required_scopes = {"create": WRITE}

    def visible(self) -> QuerySet[Measurement]:
        return (
            Measurement.objects.visible_to(self.request.user)
            .exclude(status=Measurement.Status.DRAFT)
            .select_related("trajectory")
            .prefetch_related("choices__domain")
        )

    @extend_schema(
        request=MetingInput,
        responses={201: MetingSerializer},
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A unique key per measurement: a retry with the same key and "
                "body never records a second one.",
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a confirmed measurement, validated as the board validates it."""

        def carry_out() -> tuple[int, dict[str, Any], str]:
            body = MetingInput(data=request.data)
            body.is_valid(raise_exception=True)
            measurement = record_confirmed_measurement(_principal(request), body.validated_data)
            log_access(
                request,
                "create",
                self.object_type,
                measurement.pk,
                measurement.trajectory.resident_id,
            )
            shown = self.get_serializer(self.visible().get(pk=measurement.pk)).data
            return 201, dict(shown), str(shown["url"])

        return idempotency.once(request, carry_out)


@_listed(ByTrajectory)
class DoelViewSet(Resource):
    """The goals of the plan, in the resident's own words."""

    serializer_class = DoelSerializer
    object_type = "goal"
    resident_field = "trajectory__resident_id"
    filters = ByTrajectory
    filter_fields = {"traject": "trajectory_id"}

    def visible(self) -> QuerySet[Goal]:
        return (
            Goal.objects.visible_to(self.request.user)
            .select_related("trajectory")
            .prefetch_related("domains")
        )


@_listed(ByTrajectory)
class ToestemmingViewSet(Resource):
    """Consents to share parts of a trajectory with another organisation."""

    serializer_class = ToestemmingSerializer
    object_type = "consent"
    resident_field = "trajectory__resident_id"
    filters = ByTrajectory
    filter_fields = {"traject": "trajectory_id"}

    def visible(self) -> QuerySet[Consent]:
        return Consent.objects.visible_to(self.request.user).select_related(
            "trajectory", "organisation"
        )


@_listed(ByTrajectory)
class NietIngevuldViewSet(Resource):
    """Measurements that were not filled in, and why."""

    serializer_class = NietIngevuldSerializer
    object_type = "not_filled_in"
    resident_field = "trajectory__resident_id"
    filters = ByTrajectory
    filter_fields = {"traject": "trajectory_id"}

    def visible(self) -> QuerySet[NotFilledIn]:
        return NotFilledIn.objects.visible_to(self.request.user).select_related("trajectory")


class LeefgebiedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The life domains of the client's organisation's current catalogue: the codes that
    measurements and goals use."""

    required_scope = READ
    serializer_class = LeefgebiedSerializer

    def get_queryset(self) -> QuerySet[Domain]:
        organisation = _principal(self.request).client.organisation
        return Catalogue.objects.current_for(organisation).domains.order_by("position", "pk")
