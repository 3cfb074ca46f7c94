from django.urls import path

from . import views

app_name = "guide"
urlpatterns = [
    path("hulp/", views.index, name="index"),
    path("hulp/handleiding/<slug:slug>/", views.page, name="page"),
    path("hulp/vragen/", views.faq, name="faq"),
    path("hulp/vragen/beheer/", views.faq_manage, name="faq_manage"),
    path("hulp/vragen/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("hulp/vragen/<int:pk>/verplaatsen/", views.faq_move, name="faq_move"),
    path("hulp/vragen/<int:pk>/verwijderen/", views.faq_delete, name="faq_delete"),
]
