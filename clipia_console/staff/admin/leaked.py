""" "Find the key for this leaked key": staff paste a whole key and land on its admin page.

The key travels only in the body of a CSRF-protected POST, never in a URL (so no access
log or browser history holds it); the answer is a redirect to the key's page, or this form
again, empty, with an error that names only the public lookup id. Only the lookup id is
used to find the row: the secret is neither checked nor kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from apikeys import keys
from apikeys.models import ApiKey
from clipia_console.staff.admin.support import admin_page

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

FORM_TEMPLATE = "admin/apikeys/apikey/find_leaked.html"


class LeakedKeyForm(forms.Form):
    # A password input: never rendered back with its value, not kept by autofill.
    key = forms.CharField(
        label="Leaked key",
        strip=True,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "size": 70},
            render_value=False,
        ),
        help_text="Paste the whole key, as it was found (a repository, a log, a ticket).",
    )

    @sensitive_variables("raw")
    def clean_key(self) -> ApiKey:
        raw = self.cleaned_data["key"]
        parsed = keys.parse_key(raw)
        if parsed is None:
            raise forms.ValidationError(
                "That is not a complete Clipia key: check that it was pasted whole."
            )
        api_key = (
            ApiKey.objects.filter(lookup_id=parsed.lookup_id, environment=parsed.environment)
            .only("pk")
            .first()
        )
        if api_key is None:
            raise forms.ValidationError(
                f"No key has the lookup id {parsed.lookup_id}: it was never issued here."
            )
        return api_key


@sensitive_post_parameters("key")
def find_leaked_key_view(request: HttpRequest, model_admin: ModelAdmin[ApiKey]) -> HttpResponse:
    """GET: the form. POST: a redirect to the key's page, or the form with an error."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = LeakedKeyForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        api_key = form.cleaned_data["key"]
        return HttpResponseRedirect(
            reverse("admin:apikeys_apikey_change", args=[api_key.pk]),
        )
    response = admin_page(
        model_admin,
        request,
        FORM_TEMPLATE,
        title="Find a leaked key",
        form=form,
        submit_label="Find the key",
    )
    response["Cache-Control"] = "no-store"
    return response
