from django.urls import URLPattern

app_name = "implementation_plan"
urlpatterns: list[URLPattern] = []
