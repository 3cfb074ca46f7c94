from django.apps import AppConfig


class Config(AppConfig):
    name = "wattelt.demo"
    label = "demo"
