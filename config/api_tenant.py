"""REST API of an organization's hosts: /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import ApiTokenViewSet, api_token
from apps.core.api_views import country_list, currency_list
from apps.events.api.views import (
    EventDateViewSet,
    EventViewSet,
    LocationViewSet,
    ReplicationViewSet,
    TicketTypeViewSet,
)
from apps.operators.api.views import (
    DistributionViewSet,
    InvitationViewSet,
    OrganizerViewSet,
    TeamMemberViewSet,
)
from apps.sales.api.addons import AddOnViewSet
from apps.sales.api.passes import PassTypeViewSet, PassViewSet
from apps.sales.api.views import CheckInView, FeeRuleViewSet, OrderViewSet, QuestionViewSet, TicketViewSet
from apps.sales.api.vouchers import VoucherViewSet
from apps.sales.api.waiting_list import WaitingListEntryViewSet

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-own")
router.register("organizers", OrganizerViewSet, basename="organizer")
router.register("distributions", DistributionViewSet, basename="distribution")
router.register("team-members", TeamMemberViewSet, basename="team-member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("locations", LocationViewSet, basename="location")
router.register("events", EventViewSet, basename="event")
router.register("event-dates", EventDateViewSet, basename="event-date")
router.register("ticket-types", TicketTypeViewSet, basename="ticket-type")
router.register("replications", ReplicationViewSet, basename="replication")
router.register("orders", OrderViewSet, basename="order")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("fee-rules", FeeRuleViewSet, basename="fee-rule")
router.register("pass-types", PassTypeViewSet, basename="pass-type")
router.register("passes", PassViewSet, basename="pass")
router.register("add-ons", AddOnViewSet, basename="add-on")
router.register("questions", QuestionViewSet, basename="question")
router.register("waiting-list-entries", WaitingListEntryViewSet, basename="waiting-list-entry")
router.register("vouchers", VoucherViewSet, basename="voucher")

urlpatterns = [
    path("", include(router.urls)),
    path("countries/", country_list, name="country-list"),
    path("currencies/", currency_list, name="currency-list"),
    path("auth/token/", api_token, name="api-token"),
    path("check-ins/", CheckInView.as_view(), name="check-in"),
]
