"""/favicon.ico: browsers ask for it on pages that name no icon (the admin's); it leads
to the console's icon instead of a 404 in every admin page's console."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("console/favicon.svg"))
