"""The one finaliser writes what a view noted in the request's outcome: the generation
limit once counted, what a generation charged, or that the answer is a replay."""

from __future__ import annotations

from django.test import RequestFactory
from rest_framework.request import Request

from clipia_console.api.headers import outcome_headers
from clipia_console.api.outcome import ApiOutcome, outcome_of
from clipia_console.generations.request_limits import GenerationLimit

STANDING = GenerationLimit(policy="generate", limit=10, window=60, remaining=9, reset=42)


def test_an_untouched_outcome_adds_no_header() -> None:
    assert outcome_headers(ApiOutcome()) == {}


def test_a_charged_generation_says_what_it_charged_and_where_the_key_stands() -> None:
    headers = outcome_headers(ApiOutcome(generation_limit=STANDING, charged=20))

    assert headers == {
        "RateLimit-Policy": '"generate";q=10;w=60',
        "RateLimit": '"generate";r=9;t=42',
        "Clipia-Credits-Charged": "20",
    }


def test_a_replay_says_so_and_claims_no_charge() -> None:
    headers = outcome_headers(ApiOutcome(charged=20, replayed=True))

    assert headers == {"Idempotent-Replayed": "true"}


def test_drf_and_django_requests_share_one_outcome() -> None:
    django_request = RequestFactory().get("/v1/key")

    outcome_of(Request(django_request)).charged = 5

    assert outcome_of(django_request).charged == 5
