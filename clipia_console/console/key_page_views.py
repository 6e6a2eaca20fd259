"""The console's key page and Usage tab (mounted under /developer/).

Plain function views: an htmx POST gets the settings partial back, any other POST a
redirect to the key page, so every control works without JavaScript. A key is found
only among the keys the person may see (ApiKey.objects.visible_to; 404 otherwise); every
change is one call to apikeys.controls or billing.budget_settings, which write the audit
event.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from apikeys import controls
from apikeys.audit import Actor
from apikeys.exceptions import InvalidSetting
from apikeys.models import ApiKey
from clipia_console.accounts import sudo
from clipia_console.billing import budget_settings, budgets, usage
from clipia_console.console import chart
from clipia_console.console import spend_forms as forms
from clipia_console.console.signed_in import ConsoleRequest, sign_in_required
from clipia_console.console.sudo_views import ask_unless_recent
from clipia_console.lib import clock


def _own_key(request: ConsoleRequest, key_id: int) -> ApiKey:
    return get_object_or_404(ApiKey.objects.visible_to(request.user), pk=key_id)


def _resume(request: ConsoleRequest) -> str:
    """Where to come back after signing in: the key's page (a POST cannot be replayed)."""
    key_id = request.resolver_match.kwargs.get("key_id") if request.resolver_match else None
    if key_id is not None:
        return reverse("console:key_page", args=[key_id])
    return request.get_full_path()


@never_cache
@sign_in_required(_resume)
@require_GET
def key_page(request: ConsoleRequest, key_id: int) -> HttpResponse:
    api_key = _own_key(request, key_id)
    now = clock.now()
    figures = usage.for_key(api_key, now.astimezone(UTC).date())
    context = {
        "tab": "api_keys",
        "key": api_key,
        "figures": figures,
        "bars": chart.bars(figures.days),
        "chart_width": chart.WIDTH,
        "chart_height": chart.HEIGHT,
        **_settings_context(api_key),
        **forms.initial_forms(api_key),
    }
    return render(request, "console/key_page.html", context)


@sensitive_post_parameters(sudo.PASSWORD_FIELD)
@sign_in_required(_resume)
@require_POST
def change_setting(request: ConsoleRequest, key_id: int, setting: str) -> HttpResponse:
    api_key = _own_key(request, key_id)
    form_class = _FORMS.get(setting)
    if form_class is None and setting not in ("pause", "resume"):
        raise Http404
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _answer(request, api_key, {f"{setting}_form": form}, status=422)
    widening = _widening(api_key, setting, form)
    if widening is not None:
        cancel_url = reverse("console:key_page", args=[api_key.pk])
        confirming = ask_unless_recent(request, action=widening, cancel_url=cancel_url)
        if confirming is not None:
            return confirming
    try:
        actor = Actor.from_request(request, owner_id=api_key.owner_id)
        changed = _apply(api_key, setting, form, actor)
    except InvalidSetting as exc:
        messages.error(request, " ".join(exc.messages))
        return _answer(request, api_key, {}, status=422)
    if changed:
        messages.success(request, _DONE[setting])
    return _answer(request, api_key, {}, status=200)


def _widening(api_key: ApiKey, setting: str, form: Form | None) -> str | None:
    """What the change would let the key do that it cannot now, in the words of "Confirm
    it is you to …", or None when it only narrows (which never asks)."""
    parsed: Any = form.cleaned_data["parsed"] if form is not None else None
    if setting == "budget" and budgets.raises(api_key, *parsed):
        return "raise this key's budget"
    if setting == "models" and controls.widens(api_key.allowed_models or [], parsed):
        return "let this key use more models"
    if setting == "addresses" and controls.widens(api_key.allowed_ips or [], parsed):
        return "let this key be used from more addresses"
    if setting == "resume" and api_key.paused_at is not None:
        return "resume this key's spending"
    return None


def _apply(api_key: ApiKey, setting: str, form: Form | None, actor: Actor) -> bool:
    parsed: Any = form.cleaned_data["parsed"] if form is not None else None
    if setting == "budget":
        credits, period = parsed
        return budget_settings.set_budget(api_key, credits, period, actor=actor)
    if setting == "models":
        return controls.set_allowed_models(api_key, parsed, actor=actor)
    if setting == "addresses":
        return controls.set_allowed_ips(api_key, parsed, actor=actor)
    if setting == "pause":
        return controls.pause(api_key, actor=actor)
    return controls.resume(api_key, actor=actor)


def _answer(
    request: ConsoleRequest, api_key: ApiKey, bound: dict[str, Form], *, status: int
) -> HttpResponse:
    if not request.htmx and status == 200:
        return redirect("console:key_page", key_id=api_key.pk)
    context = {"key": api_key, **_settings_context(api_key), **forms.initial_forms(api_key)}
    context.update(bound)
    if request.htmx:
        return render(request, "console/partials/key_settings.html", context, status=status)
    figures = usage.for_key(api_key, clock.now().astimezone(UTC).date())
    context.update(tab="api_keys", figures=figures, bars=chart.bars(figures.days))
    context.update(chart_width=chart.WIDTH, chart_height=chart.HEIGHT)
    return render(request, "console/key_page.html", context, status=status)


def _settings_context(api_key: ApiKey) -> dict[str, object]:
    now = clock.now()
    status, can_roll = api_key.status_at(now), api_key.can_roll(now)
    return {"budget": budgets.state(api_key, now), "status": status, "can_roll": can_roll}


_FORMS: dict[str, type[Form]] = {
    "budget": forms.BudgetForm,
    "models": forms.ModelsForm,
    "addresses": forms.AddressesForm,
}
_DONE = {
    "budget": "Budget saved.",
    "models": "Allowed models saved.",
    "addresses": "Allowed addresses saved.",
    "pause": "Spending paused. The key still reads; resume it to generate again.",
    "resume": "Spending resumed.",
}


@never_cache
@sign_in_required(_resume)
@require_GET
def usage_tab(request: ConsoleRequest) -> HttpResponse:
    today = clock.now().astimezone(UTC).date()
    figures = usage.for_account(request.user.pk, today)
    return render(request, "console/usage.html", {"tab": "usage", "figures": figures, "days": 30})
