"""The published monitoring figures as JSON: exactly the rows of the analyst's CSV
(`monitoring.exports.report_rows` and the report's description), for the client's
organisation or team. Nothing is recomputed here; cells under 10 residents are "<10"."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wattelt.audit.services import log_access
from wattelt.monitoring.cube import Scope
from wattelt.monitoring.exports import report_rows
from wattelt.monitoring.forms import DashboardFilter
from wattelt.monitoring.report import AGE_LABELS, build_report

from .models import ApiClient, ClientPrincipal
from .scopes import FIGURES

QUERY_NAMES = {
    "periode": "period",
    "wijk": "district",
    "team": "team",
    "leeftijdsgroep": "age_group",
}


class FiguresQuery(serializers.Serializer[Any]):
    periode = serializers.CharField(
        required=False, max_length=7, help_text="A year (2026) or a quarter (2026-Q1)."
    )
    wijk = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    leeftijdsgroep = serializers.ChoiceField(choices=list(AGE_LABELS), required=False)


class Named(serializers.Serializer[Any]):
    naam = serializers.CharField()
    waarde = serializers.CharField()


class Figure(serializers.Serializer[Any]):
    figuur = serializers.CharField()
    rij = serializers.CharField()
    kolom = serializers.CharField()
    waarde = serializers.CharField(help_text='A number, a share, "-" or "<10" (suppressed).')


class Figures(serializers.Serializer[Any]):
    selectie = Named(many=True)
    cijfers = Figure(many=True)


def scope_of_client(client: ApiClient) -> Scope:
    if client.team_id is not None:
        return Scope(team_ids=(client.team_id,))
    return Scope(organisation_id=client.organisation_id)


class FiguresView(APIView):
    """Published, suppressed monitoring figures of the client's organisation (or team)
    for one period, area and age group."""

    required_scope = FIGURES

    @extend_schema(parameters=[FiguresQuery], responses={200: Figures}, operation_id="cijfersGet")
    def get(self, request: Request) -> Response:
        principal = request.user
        assert isinstance(principal, ClientPrincipal)
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = scope_of_client(principal.client)
        teams = list(scope.teams())
        districts = list(scope.districts())
        data = {**DashboardFilter.defaults()}
        data.update({QUERY_NAMES[k]: str(v) for k, v in query.validated_data.items()})
        form = DashboardFilter(data, districts, teams)
        if not form.is_valid():
            api_names = {v: k for k, v in QUERY_NAMES.items()} | {"__all__": "nonFieldErrors"}
            raise serializers.ValidationError(
                {api_names.get(name, name): errors for name, errors in form.errors.items()}
            )
        report = build_report(scope, form.choice, districts, teams)
        log_access(request, "export", "figures", form.choice.period.value)
        body = {
            "selectie": [{"naam": n, "waarde": v} for n, v in report.description],
            "cijfers": [
                {"figuur": f, "rij": r, "kolom": c, "waarde": v}
                for f, r, c, v in report_rows(report)
            ],
        }
        return Response(body)
