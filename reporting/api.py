"""The aggregate figures through the API, as JSON: the same report, cells and suppression as the dashboard and
its CSV (`reporting.report_cache.cached_report`), never a child.

Who may read them and which services they cover is the access module's answer
(`cases.access.may_read_aggregate_reports`, `cases.access.reportable_agencies`): case managers, ECM
clinicians and commissioners; everyone else 403. A caller narrows the services, never widens them: a
service they may not see is a field error. Each read is logged as a view of the aggregate report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from core.api.views import ApiView
from reporting.figures import Report
from reporting.report_cache import cached_report
from reporting.scope import LONGEST_PERIOD_YEARS, ReportScope, default_period, reportable_services

RECORD_TYPE = "aggregate report"  # as the dashboard logs it (reporting/views.py)
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


class FiguresQuerySerializer(serializers.Serializer):
    """The period and services asked for: by default the last 12 months over every service the caller may see."""

    start = serializers.DateField(required=False, help_text="First day of the period (default: 11 months ago, 1st)")
    end = serializers.DateField(required=False, help_text="Last day of the period (default: today)")
    agency = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Youth justice services to include (repeat the parameter); none: every service you may see",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        default_start, default_end = default_period(today)
        start, end = data.get("start") or default_start, data.get("end") or default_end
        errors: dict[str, str] = {}
        for name, day in (("start", start), ("end", end)):
            if not EARLIEST_DAY <= day <= LATEST_DAY:
                errors[name] = f"The date must be from {EARLIEST_DAY:%Y-%m-%d} to {LATEST_DAY:%Y-%m-%d}"
        if not errors and end < start:
            errors["end"] = "The end of the period must be the same as or after its start"
        elif not errors and (
            end.year - start.year > LONGEST_PERIOD_YEARS
            or (end.year - start.year == LONGEST_PERIOD_YEARS and (end.month, end.day) >= (start.month, start.day))
        ):
            errors["start"] = f"The period must be shorter than {LONGEST_PERIOD_YEARS} years"
        allowed = {agency.pk: agency for agency in self.context["allowed"]}
        chosen = list(dict.fromkeys(data.get("agency") or []))
        if any(pk not in allowed for pk in chosen):
            errors["agency"] = "Choose services whose figures you may see"
        if errors:
            raise serializers.ValidationError(errors)
        agencies = [allowed[pk] for pk in chosen] if chosen else list(allowed.values())
        return {"scope": ReportScope(start=start, end=end, agencies=tuple(agencies), today=today)}


class ServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HeadlineSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    value = serializers.CharField(help_text='As the CSV shows it: a range of five ("10–14"), "<5" or "[c]"')


class FigureRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    is_total = serializers.BooleanField()
    cells = serializers.ListField(child=serializers.CharField(allow_blank=True), help_text="As the CSV shows them")


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    header = serializers.ListField(child=serializers.CharField(allow_blank=True))
    rows = FigureRowSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField(allow_blank=True))


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    figures = FigureSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    services = ServiceSerializer(many=True)
    made_at = serializers.DateTimeField()
    headline = HeadlineSerializer(many=True)
    sections = SectionSerializer(many=True)


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain data: every cell as its CSV text, so the JSON and the CSV cannot disagree."""
    scope = report.scope
    return {
        "start": scope.start,
        "end": scope.end,
        "services": [{"id": agency.pk, "name": agency.name} for agency in scope.agencies],
        "made_at": report.made_at,
        "headline": [{"label": label, "value": shown.csv} for label, shown in report.headline],
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "figures": [
                    {
                        "key": figure.key,
                        "title": figure.title,
                        "description": figure.description,
                        "header": [str(heading) for heading in figure.header],
                        "rows": [
                            {"label": row.label, "is_total": row.is_total, "cells": [cell.csv for cell in row.cells]}
                            for row in figure.rows
                        ],
                        "notes": [str(note) for note in figure.notes],
                    }
                    for figure in section.figures
                ],
            }
            for section in report.sections
        ],
    }


@extend_schema(tags=["aggregate figures"])
class FiguresApi(ApiView):
    """Every aggregate figure for the period and services, with small numbers suppressed as on the dashboard."""

    serializer_class = FiguresSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            FiguresQuerySerializer,
            OpenApiParameter("agency", OpenApiTypes.INT, many=True, explode=True, description="A service's id"),
        ],
        responses={
            200: FiguresSerializer,
            400: OpenApiResponse(description="Field errors in the period or the services"),
            403: OpenApiResponse(description="Reports are for case managers, ECM clinicians and commissioners"),
        },
        examples=[
            OpenApiExample(
                "Referrals received",
                response_only=True,
                value={
                    "start": "2025-12-01",
                    "end": "2026-11-30",
                    "services": [{"id": 3, "name": "Bristol YJS"}],
                    "made_at": "2026-11-30T09:00:00Z",
                    "headline": [{"label": "Referrals received", "value": "20–24"}],
                    "sections": [
                        {
                            "key": "referrals",
                            "title": "Referrals, triage and waiting times",
                            "figures": [
                                {
                                    "key": "referrals",
                                    "title": "Referrals received",
                                    "description": "Referrals submitted for triage, by month.",
                                    "header": ["Month", "Referrals"],
                                    "rows": [
                                        {"label": "Dec 2025", "is_total": False, "cells": ["<5"]},
                                        {"label": "Total", "is_total": True, "cells": ["20–24"]},
                                    ],
                                    "notes": [],
                                }
                            ],
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not access.may_read_aggregate_reports(request.user):
            raise PermissionDenied("Reports are for case managers, ECM clinicians and commissioners.")
        query = {
            **{name: request.query_params[name] for name in ("start", "end") if name in request.query_params},
            **({"agency": request.query_params.getlist("agency")} if "agency" in request.query_params else {}),
        }
        allowed = list(reportable_services(request.user))
        asked = FiguresQuerySerializer(data=query, context={"allowed": allowed})
        asked.is_valid(raise_exception=True)
        scope: ReportScope = asked.validated_data["scope"]
        report = cached_report(scope)
        access_event_record(
            user=request.user,
            action=AccessAction.VIEW,
            record_type=RECORD_TYPE,
            description=f"figures API: {scope.period_text}; {scope.agencies_text}",
        )
        return Response(FiguresSerializer(report_data(report)).data)
