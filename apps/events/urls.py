from django.urls import path

from apps.events import views

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/calendar/", views.event_agenda, name="event-agenda"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/time-zone/", views.time_zone_set, name="event-time-zone"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/publish/", views.event_publish, name="event-publish"),
    path("events/<int:pk>/unpublish/", views.event_unpublish, name="event-unpublish"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event-cancel"),
    path("events/<int:pk>/delete/", views.event_delete, name="event-delete"),
    path("events/<int:pk>/dates/", views.event_date_add, name="event-date-add"),
    path("events/<int:pk>/ticket-types/", views.ticket_type_add, name="ticket-type-add"),
    path("events/<int:pk>/replicate/", views.event_replicate, name="event-replicate"),
    path(
        "events/<int:pk>/replications/<int:replication_pk>/",
        views.event_replication,
        name="event-replication",
    ),
    path(
        "events/<int:pk>/replications/<int:replication_pk>/status/",
        views.event_replication_status,
        name="event-replication-status",
    ),
    path("event-dates/<int:pk>/edit/", views.event_date_edit, name="event-date-edit"),
    path("event-dates/<int:pk>/delete/", views.event_date_delete, name="event-date-delete"),
    path("ticket-types/<int:pk>/edit/", views.ticket_type_edit, name="ticket-type-edit"),
    path("ticket-types/<int:pk>/delete/", views.ticket_type_delete, name="ticket-type-delete"),
    path("locations/", views.location_list, name="location-list"),
    path("locations/new/", views.location_create, name="location-create"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location-edit"),
    path("locations/<int:pk>/delete/", views.location_delete, name="location-delete"),
]
