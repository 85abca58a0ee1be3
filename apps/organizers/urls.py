from django.urls import path

from apps.organizers import views

urlpatterns = [
    path("", views.control_dashboard, name="control-dashboard"),
    path("organizers/", views.organizer_list, name="organizer-list"),
    path("organizers/<int:pk>/", views.organizer_detail, name="organizer-detail"),
    path("organizers/<int:pk>/edit/", views.organizer_edit, name="organizer-edit"),
    path("organizers/<int:pk>/distributions/", views.distribution_add, name="distribution-add"),
    path("distributions/<int:pk>/delete/", views.distribution_delete, name="distribution-delete"),
]
