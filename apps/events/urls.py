from django.urls import path

from apps.events.views import control, control_locations, control_replication

urlpatterns = [
    path("events/", control.event_list, name="event-list"),
    path("events/calendar/", control.event_agenda, name="event-agenda"),
    path("events/new/", control.event_create, name="event-create"),
    path("events/<int:pk>/", control.event_detail, name="event-detail"),
    path("events/<int:pk>/publish/", control.event_publish, name="event-publish"),
    path("events/<int:pk>/unpublish/", control.event_unpublish, name="event-unpublish"),
    path("events/<int:pk>/cancel/", control.event_cancel, name="event-cancel"),
    path("events/<int:pk>/delete/", control.event_delete, name="event-delete"),
    path("events/<int:pk>/dates/", control.event_date_add, name="event-date-add"),
    path("events/<int:pk>/ticket-types/", control.ticket_type_add, name="ticket-type-add"),
    path("events/<int:pk>/replicate/", control_replication.event_replicate, name="event-replicate"),
    path("events/<int:pk>/schedule/", control_replication.event_schedule, name="event-schedule"),
    path(
        "events/<int:pk>/replications/<int:replication_pk>/",
        control_replication.event_replication,
        name="event-replication",
    ),
    path(
        "events/<int:pk>/replications/<int:replication_pk>/status/",
        control_replication.event_replication_status,
        name="event-replication-status",
    ),
    path("event-dates/<int:pk>/edit/", control.event_date_edit, name="event-date-edit"),
    path("event-dates/<int:pk>/delete/", control.event_date_delete, name="event-date-delete"),
    path("ticket-types/<int:pk>/edit/", control.ticket_type_edit, name="ticket-type-edit"),
    path("ticket-types/<int:pk>/delete/", control.ticket_type_delete, name="ticket-type-delete"),
    path("locations/", control_locations.location_list, name="location-list"),
    path("locations/new/", control_locations.location_create, name="location-create"),
    path("locations/<int:pk>/edit/", control_locations.location_edit, name="location-edit"),
    path("locations/<int:pk>/delete/", control_locations.location_delete, name="location-delete"),
]
