"""Creating a key on a customer's behalf from the admin's "Add API key".

The key is made by ``services.create_key`` (with its budget, which billing sets from the
``key_created`` signal, in the same transaction) and shown once, on the response to
the POST that creates it: not in a message, the session or a redirect, and ``no-store``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.debug import sensitive_variables

from apikeys import services
from apikeys.controls import KeyControls
from apikeys.exceptions import KeyLifecycleError
from apikeys.models import ApiKey
from clipia_console.lib import clock
from clipia_console.staff.admin.key_display import expiry_text
from clipia_console.staff.admin.key_forms import ApiKeyCreationForm
from clipia_console.staff.admin.support import admin_page, staff_actor

if TYPE_CHECKING:
    from django.contrib import admin

    KeyAdminBase = admin.ModelAdmin[ApiKey]
else:
    KeyAdminBase = object

CREATION_TEMPLATE = "admin/apikeys/apikey/add_form.html"
KEY_CREATED_TEMPLATE = "admin/apikeys/apikey/key_created.html"


class KeyCreationMixin(KeyAdminBase):
    """The key admin's add page: a form of its own rather than a model form."""

    @sensitive_variables("created", "raw_key")
    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Create a key for a customer and show it on this response only: not in a
        message, the session or a redirect, so it is gone once the page is left."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyCreationForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if form.is_valid() and (created := self._create_key(request, form)) is not None:
            api_key, raw_key = created
            self.log_addition(request, api_key, [{"added": {}}])
            return self._key_created_page(request, api_key, raw_key)
        return admin_page(
            self,
            request,
            CREATION_TEMPLATE,
            title="Create an API key",
            form=form,
            submit_label="Create key",
        )

    @sensitive_variables("raw_key")
    def _create_key(
        self, request: HttpRequest, form: ApiKeyCreationForm
    ) -> tuple[ApiKey, str] | None:
        """The key with its budget, or None with what was refused put on ``form``."""
        owner = form.cleaned_data["owner"]
        budget, period = form.cleaned_data["budget"]
        try:
            return services.create_key(
                owner=owner,
                name=form.cleaned_data["name"],
                environment=form.cleaned_data["environment"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                actor=staff_actor(request, owner_id=owner.pk),
                controls=KeyControls(budget_credits=budget, budget_period=period),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(form.field_for(field), errors)
        except KeyLifecycleError as exc:
            form.add_error(None, str(exc))
        return None

    @sensitive_variables("raw_key")
    def _key_created_page(
        self, request: HttpRequest, api_key: ApiKey, raw_key: str
    ) -> HttpResponse:
        return admin_page(
            self,
            request,
            KEY_CREATED_TEMPLATE,
            title="API key created",
            shows_a_key=True,
            api_key=api_key,
            raw_key=raw_key,
            expires=expiry_text(api_key, clock.now()),
        )
