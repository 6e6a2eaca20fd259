"""Bookmarks of admin pages whose model moved to another app keep working.

Accounts and ledger entries moved from the api app to billing, and generations to
generations, so their admin pages moved from ``/admin/api/<model>/…`` too. A page under
an old address answers with a permanent redirect to the same page (list, change page or
any other, with its query string) under the new one; signing in is the new page's job.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.encoding import escape_uri_path


def moved_admin_page(
    request: HttpRequest, *, app_label: str, model_name: str, rest: str
) -> HttpResponsePermanentRedirect:
    """``rest`` of the old address (after ``<model_name>/``) under ``app_label``'s admin."""
    url = escape_uri_path(f"{reverse('admin:index')}{app_label}/{model_name}/{rest}")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
