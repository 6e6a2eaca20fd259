from __future__ import annotations

from django.apps import AppConfig


class DocsConfig(AppConfig):
    name = "clipia_console.docs"
    label = "docs"
    verbose_name = "API documentation"
