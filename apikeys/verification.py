"""The request path: how a request's API key is accepted or refused, top to bottom.

    credentials.extract_key     the one credential the request carries: Bearer, Key or
                                X-Api-Key
    keys.parse_key              format and checksum: garbage stops here, before the database
    lookup.lookup               one indexed query: the key's row and its owner
    secret_check.verify_secret  one HMAC against the stored verifier(s) (apikeys.hashing):
                                the key's secret, or a rolled key's old one in its grace
    _check_status               revoked, expired, inactive owner: refused; paused: accepted
    controls.check_address      a key with an address list, from anywhere else: refused
    key_use.note_use            last_used_at and its address, at most once a minute per key

The policy, once: a wrong secret costs one HMAC and answers the same 401 whether its key
id is active, revoked, expired or unknown, so nothing tells ids apart and no limit on
wrong secrets is needed that could lock a key's owner out. The status is checked only
after the secret, so only a caller holding the complete, correct key can learn that it
expired. Argon2id runs only to re-derive a verifier (a key stored before verifiers, or a
retired pepper): once per key, behind the slow-verification rate limit. Revocation and
expiry come from the row read on every request, never from anything a process remembers.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from apikeys import controls, hashing, keys
from apikeys.credentials import Caller, extract_key
from apikeys.exceptions import InvalidApiKey
from apikeys.key_use import note_use
from apikeys.lookup import lookup
from apikeys.models import ApiKey
from apikeys.secret_check import VERIFIER_FIELDS, verify_secret
from apikeys.status import KeyStatus
from clipia_console.lib import clock


# Should anything fail unexpectedly here, error reports (the DEBUG page, error emails) list
# each frame's locals: star the key out of them.
@sensitive_variables("raw_key", "parsed")
def authenticate_request(request: HttpRequest) -> ApiKey | None:
    """The key this request carries, with its owner loaded; None if it carries no
    credential of ours (so another authentication may try). Raises InvalidApiKey,
    ConflictingCredentials or VerificationRateLimited."""
    raw_key = extract_key(request.META)
    if raw_key is None:
        return None
    return authenticate_key(raw_key, caller=Caller(request))


@sensitive_variables("raw_key", "parsed")
def authenticate_key(
    raw_key: str, *, client_address: str | None = None, caller: Caller | None = None
) -> ApiKey:
    """The usable key (active or paused) that ``raw_key`` is, or InvalidApiKey. The
    caller's address comes as ``client_address`` or, read when needed, ``caller``."""
    caller = caller or Caller(address=client_address)
    parsed = keys.parse_key(raw_key)
    if parsed is None:
        raise InvalidApiKey  # mistyped, truncated or made up: no query, no hash
    api_key = lookup(parsed.lookup_id)
    if api_key is None:
        hashing.check((), parsed.raw)  # the same HMAC a known id costs
        raise InvalidApiKey
    now = clock.now()
    secret = verify_secret(api_key, parsed, caller, now)
    api_key.authenticated_verifier = getattr(api_key, VERIFIER_FIELDS[secret])
    _check_status(api_key, now)
    if api_key.allowed_ips is not None:
        # Before the use is noted: a refused caller is never "last used from".
        controls.check_address(api_key, caller.address)
    note_use(api_key, secret, caller, now)
    return api_key


def _check_status(api_key: ApiKey, now: datetime) -> None:
    status = api_key.status_at(now)
    if status is KeyStatus.EXPIRED:
        raise InvalidApiKey(expired_at=api_key.expires_at)
    if status is KeyStatus.REVOKED or not api_key.owner.is_active:
        raise InvalidApiKey
