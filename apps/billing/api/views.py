from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.billing.api.serializers import (
    AdjustmentSerializer,
    BillingAccountQuerySerializer,
    BillingAccountSerializer,
    ClientQuerySerializer,
    ClientSerializer,
    InvoiceQuerySerializer,
    InvoiceSerializer,
    ManualInvoiceSerializer,
    ReasonSerializer,
)
from apps.billing.models import BillingAdjustment, Invoice
from apps.billing.selectors.accounts import account_adjustments, account_prices, accounts_addons
from apps.billing.selectors.clients import billing_accounts_listed, clients_listed
from apps.billing.selectors.invoices import invoices_listed
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create, billing_adjustment_delete
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.corrections import invoice_adjust, invoice_manual_create, invoice_void
from apps.core.audit import Actor
from apps.operators.api.permissions import IsPlatformAdmin


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="Part of the organizer's name or address, the "
                "organization's name or the contact e-mail (any case).",
            ),
            OpenApiParameter("plan", int, description="Only this plan's clients."),
            OpenApiParameter("status", str, description="active, past_due, suspended or cancelled."),
            OpenApiParameter(
                "ordering",
                str,
                description="name, signed_up, sales or balance; a leading “-” for descending. Default: name.",
            ),
        ]
    )
)
class ClientViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """The platform's clients (one billing account per organizer) with their effective price and
    features, balance and sales this month. PATCH changes plan, status, contact, notes and
    overrides (through billing_account_update); accounts are opened by signup, never here."""

    permission_classes = [IsPlatformAdmin]
    serializer_class = ClientSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        filters = {}
        if self.action == "list":
            query = ClientQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.filters()
        return clients_listed(**filters).prefetch_related("plan__prices")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # The default currency and the exchange rates are read once for the whole page.
        serializer = self.get_serializer(
            page,
            many=True,
            context={**self.get_serializer_context(), "prices": account_prices(page)},
        )
        return self.get_paginated_response(serializer.data)

    def get_serializer(self, *args, **kwargs):
        if "context" not in kwargs:
            kwargs["context"] = self.get_serializer_context()
        return self.get_serializer_class()(*args, **kwargs)

    def perform_update(self, serializer):
        account = billing_account_update(
            account_id=serializer.instance.pk,
            changes=serializer.validated_data,
            actor=Actor.from_request(self.request),
        )
        serializer.instance = self.get_queryset().get(pk=account.pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            BillingAccountQuerySerializer,
        ]
    )
)
class BillingAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """The clients' billing accounts (platform admins): billing currency, billing day, status,
    card on file, balance of open invoices, add-ons, pending adjustments and the next invoice
    (date; its estimate on a single account). PATCH changes status, contact, overrides and
    add-ons (through billing_account_update). `…/adjustments/` lists and adds one-off charges
    and credits for the next monthly invoice; a pending one is withdrawn with DELETE."""

    permission_classes = [IsPlatformAdmin]
    serializer_class = BillingAccountSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        filters = {}
        if self.action == "list":
            query = BillingAccountQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.filters()
        return billing_accounts_listed(**filters)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_estimate": self.action != "list"}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # Prices, add-on prices and exchange rates are read once for the whole page.
        prices = account_prices(page)
        serializer = self.get_serializer(
            page,
            many=True,
            context={
                **self.get_serializer_context(),
                "prices": prices,
                "addons": accounts_addons(page, prices),
            },
        )
        return self.get_paginated_response(serializer.data)

    def perform_update(self, serializer):
        account = billing_account_update(
            account_id=serializer.instance.pk,
            changes=serializer.validated_data,
            actor=Actor.from_request(self.request),
        )
        serializer.instance = self.get_queryset().get(pk=account.pk)

    @extend_schema(methods=["GET"], request=None, responses=AdjustmentSerializer(many=True))
    @extend_schema(methods=["POST"], request=AdjustmentSerializer, responses={201: AdjustmentSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=AdjustmentSerializer)
    def adjustments(self, request, pk=None):
        """GET: the account's adjustments, pending first then the billed ones (newest first).
        POST: add a charge or credit (`description`, `amount` in the billing currency with its
        decimals) to the next monthly invoice."""
        account = self.get_object()
        if request.method == "POST":
            serializer = AdjustmentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            adjustment = billing_adjustment_create(
                account_id=account.pk, actor=Actor.from_request(request), **serializer.validated_data
            )
            return Response(AdjustmentSerializer(adjustment).data, status=201)
        adjustments = account_adjustments(account)
        return Response(AdjustmentSerializer(adjustments, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("adjustment_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"adjustments/(?P<adjustment_id>[0-9]+)")
    def adjustment_delete(self, request, pk=None, adjustment_id=None):
        """Withdraw a pending adjustment; a billed one stays (409): correct its invoice instead."""
        account = self.get_object()
        try:
            billing_adjustment_delete(
                adjustment_id=int(adjustment_id), account_id=account.pk, actor=Actor.from_request(request)
            )
        except BillingAdjustment.DoesNotExist as exc:
            raise Http404 from exc
        return Response(status=204)


@extend_schema_view(list=extend_schema(parameters=[InvoiceQuerySerializer]))
class InvoiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """All clients' invoices (platform admins). PATCH an unpaid invoice's `total` or `due_date`
    with a `reason`; POST a manual invoice; `…/void/` and `…/mark-paid/` with a `reason`."""

    permission_classes = [IsPlatformAdmin]
    serializer_class = InvoiceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action != "list":
            return Invoice.objects.select_related("account").prefetch_related("lines")
        query = InvoiceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        invoices = invoices_listed(status=data["status"], search=data["search"], month=data.get("month"))
        if data.get("client"):
            invoices = invoices.filter(account_id=data["client"])
        return invoices.prefetch_related("lines")

    @extend_schema(request=ManualInvoiceSerializer, responses={201: InvoiceSerializer})
    def create(self, request):
        serializer = ManualInvoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        invoice = invoice_manual_create(
            account_id=data.pop("account").pk, actor=Actor.from_request(request), **data
        )
        return Response(InvoiceSerializer(invoice).data, status=201)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = invoice_adjust(
            invoice_id=serializer.instance.pk,
            actor=Actor.from_request(self.request),
            reason=data.get("reason", ""),
            total=data.get("total"),
            due_date=data.get("due_date"),
        )

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        invoice_void(
            invoice_id=self.get_object().pk, actor=Actor.from_request(request), **reason.validated_data
        )
        return Response(InvoiceSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=ReasonSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        invoice_mark_paid(
            invoice_id=self.get_object().pk,
            actor=Actor.from_request(request),
            via=f"bank transfer: {reason.validated_data['reason']}",
        )
        return Response(InvoiceSerializer(self.get_queryset().get(pk=pk)).data)
