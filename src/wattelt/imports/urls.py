from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("organisatie/import/", views.import_list, name="list"),
    path("organisatie/import/kolommen.csv", views.column_template, name="template"),
    path("organisatie/import/<int:pk>/", views.import_detail, name="detail"),
]
