"""The services that change a key's name, note and request limit
(apikeys.services.update_name_and_note, set_generation_rate_limit): what they refuse, what
they audit, and that they leave the secret alone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import MakeKey, bearer

ACTOR = services.Actor.command("tests")


def events(api_key: ApiKey, kind: str) -> list[ApiKeyEvent]:
    return list(api_key.events.filter(kind=kind).order_by("id"))


def test_renaming_changes_the_name_keeps_the_secret_and_audits_old_to_new(
    api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, name="old")

    changed = services.update_name_and_note(api_key, name="  new  ", note="", actor=ACTOR)

    assert changed is True
    assert ApiKey.objects.get(pk=api_key.pk).name == "new"
    assert api_key.name == "new"
    [event] = events(api_key, ApiKeyEvent.Kind.RENAMED)
    assert (event.reason, event.actor_label) == ("“old” → “new”", "manage.py tests")
    assert api.get("/v1/account", **bearer(raw_key)).status_code == 200


def test_a_note_alone_is_audited_without_its_text(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice, name="k")

    services.update_name_and_note(api_key, name="k", note="on the CI runner", actor=ACTOR)

    assert ApiKey.objects.get(pk=api_key.pk).note == "on the CI runner"
    [event] = events(api_key, ApiKeyEvent.Kind.RENAMED)
    assert event.reason == "note changed"


def test_nothing_changed_is_false_and_writes_no_event(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice, name="k")

    changed = services.update_name_and_note(api_key, name="k ", note="  ", actor=ACTOR)

    assert changed is False
    assert events(api_key, ApiKeyEvent.Kind.RENAMED) == []


def test_the_change_is_judged_against_the_stored_row_not_a_stale_copy(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="first")
    stale = ApiKey.objects.get(pk=api_key.pk)
    services.update_name_and_note(api_key, name="second", note="", actor=ACTOR)

    services.update_name_and_note(stale, name="third", note="", actor=ACTOR)

    reasons = [event.reason for event in events(api_key, ApiKeyEvent.Kind.RENAMED)]
    assert reasons == ["“first” → “second”", "“second” → “third”"]


def test_long_names_are_shortened_in_the_reason_to_fit_it(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice, name="a" * 100)

    services.update_name_and_note(api_key, name="b" * 100, note="x", actor=ACTOR)

    [event] = events(api_key, ApiKeyEvent.Kind.RENAMED)
    assert len(event.reason) <= ApiKeyEvent._meta.get_field("reason").max_length  # type: ignore[operator]
    assert event.reason.startswith("“aaa") and "” → “bbb" in event.reason
    assert ApiKey.objects.get(pk=api_key.pk).name == "b" * 100


@pytest.mark.parametrize(
    ("name", "note", "field", "message"),
    [
        ("  ", "", "name", services.NAME_MISSING),
        ("n" * 101, "", "name", services.NAME_TOO_LONG),
        ("k", "n" * 1001, "note", services.NOTE_TOO_LONG),
    ],
)
def test_a_bad_name_or_note_is_refused_with_its_field(
    alice: User, make_key: MakeKey, name: str, note: str, field: str, message: str
) -> None:
    api_key, _ = make_key(alice, name="kept")

    with pytest.raises(ValidationError) as refused:
        services.update_name_and_note(api_key, name=name, note=note, actor=ACTOR)

    assert refused.value.message_dict == {field: [message]}
    assert ApiKey.objects.get(pk=api_key.pk).name == "kept"


def test_setting_the_request_limit_is_audited_old_to_new(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice)

    first = services.set_generation_rate_limit(api_key, 30, actor=ACTOR)
    again = services.set_generation_rate_limit(api_key, 30, actor=ACTOR)
    cleared = services.set_generation_rate_limit(api_key, None, actor=ACTOR)

    assert (first, again, cleared) == (True, False, True)
    assert ApiKey.objects.get(pk=api_key.pk).generation_rate_limit is None
    reasons = [event.reason for event in events(api_key, ApiKeyEvent.Kind.LIMIT_CHANGED)]
    assert reasons == ["environment default → 30 per minute", "30 per minute → environment default"]


@pytest.mark.parametrize("limit", [0, -1, services.MAX_GENERATION_RATE_LIMIT + 1])
def test_a_request_limit_out_of_range_is_refused(
    alice: User, make_key: MakeKey, limit: int
) -> None:
    api_key, _ = make_key(alice)

    with pytest.raises(ValidationError) as refused:
        services.set_generation_rate_limit(api_key, limit, actor=ACTOR)

    assert list(refused.value.message_dict) == ["generation_rate_limit"]
    assert ApiKey.objects.get(pk=api_key.pk).generation_rate_limit is None
    assert events(api_key, ApiKeyEvent.Kind.LIMIT_CHANGED) == []
