"""Admin searches never carry a pasted key.

Staff paste whole keys into search boxes while working a "my key leaked" ticket. A static
script (``static/clipia_admin/search.js``, loaded on every changelist by
``templates/admin/change_list.html``) rewrites each key to its lookup id before the form
is sent, so the secret reaches no URL, access log or browser history. Without JavaScript
the server does the same rewrite and redirects, so the page and its search box never
echo the key either. Every ModelAdmin with ``search_fields`` takes ``PastedKeySearchMixin``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from apikeys import keys


def without_pasted_keys(query: str) -> str:
    """``query`` with every term that holds a key, or a key's prefix, reduced to its
    lookup id (dropped if it has none, as with a bare ``clipia_live_``). A fixed point:
    the result holds no environment prefix, so it is never rewritten again."""
    terms = []
    for term in query.split():
        # Each pass removes at least an environment prefix, so this ends.
        while (lookup_id := keys.lookup_id_in(term)) is not None:
            term = lookup_id
        if term:
            terms.append(term)
    return " ".join(terms)


class PastedKeySearchMixin:
    """Redirects a search holding a pasted key to the same search by its lookup id."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        query = request.GET.get(SEARCH_VAR, "")
        if keys.lookup_id_in(query) is not None:
            params = request.GET.copy()
            params[SEARCH_VAR] = without_pasted_keys(query)
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc, no-any-return]
