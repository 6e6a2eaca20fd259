"""The apikeys app's settings: one typed property each, its documented default beside it
(django-cors-headers' ``conf.py``). Read them as ``conf.ARGON2_TIME_COST``.

Override any of them in the Django settings module under its ``APIKEYS_`` name;
``clipia_console.settings`` reads the ones an operator may want to change from the
environment. Each property reads the setting on every access, so ``override_settings``
works in tests.
"""

from __future__ import annotations

from django.conf import settings


class Settings:
    # Argon2id cost. Our keys carry ~190 random bits, so Argon2 is not what stops guessing
    # (nothing can enumerate 2**190); it is defence in depth should the key format ever
    # weaken. OWASP's floor for Argon2id (19 MiB, 2 passes, 1 lane) keeps a cold
    # verification near 20 ms and well under 64 MiB on a 2-core machine. Hashes made with
    # other parameters are upgraded on their next successful verification.
    @property
    def ARGON2_TIME_COST(self) -> int:
        return int(getattr(settings, "APIKEYS_ARGON2_TIME_COST", 2))

    @property
    def ARGON2_MEMORY_COST_KIB(self) -> int:
        return int(getattr(settings, "APIKEYS_ARGON2_MEMORY_COST_KIB", 19 * 1024))

    @property
    def ARGON2_PARALLELISM(self) -> int:
        return int(getattr(settings, "APIKEYS_ARGON2_PARALLELISM", 1))

    # The server-side secret that keys each stored verifier (apikeys.hashing), never in
    # the database. None: derived from SECRET_KEY, and its fallbacks from
    # SECRET_KEY_FALLBACKS, so rotating SECRET_KEY the Django way rotates it too. Set it
    # (and APIKEYS_PEPPER_FALLBACKS, a list, during a rotation) to keep them apart.
    @property
    def PEPPER(self) -> str | None:
        value = getattr(settings, "APIKEYS_PEPPER", None)
        return None if value is None else str(value)

    @property
    def PEPPER_FALLBACKS(self) -> list[str] | None:
        values = getattr(settings, "APIKEYS_PEPPER_FALLBACKS", None)
        return None if values is None else [str(value) for value in values]

    # Usable (active or paused) keys one account may hold.
    # Argon2id verifications one process runs at once (the rare slow path: a key stored
    # before verifiers, or a retired pepper), and how long a request waits for a slot.
    # Read once, when the slots are made.
    @property
    def ARGON2_CONCURRENCY(self) -> int:
        return int(getattr(settings, "APIKEYS_ARGON2_CONCURRENCY", 2))

    @property
    def ARGON2_WAIT_SECONDS(self) -> int:
        return int(getattr(settings, "APIKEYS_ARGON2_WAIT_SECONDS", 5))

    @property
    def MAX_ACTIVE_KEYS(self) -> int:
        return int(getattr(settings, "APIKEYS_MAX_ACTIVE_KEYS", 25))

    # last_used_at moves forward at most this often per key, so a busy key costs no write
    # per request.
    @property
    def LAST_USED_RESOLUTION_SECONDS(self) -> int:
        return int(getattr(settings, "APIKEYS_LAST_USED_RESOLUTION_SECONDS", 60))

    # Keys created and revoked in the console per person per window, counted in fixed
    # windows. Creating a key costs an Argon2 hash and an audit row, revoking an audit row:
    # a person clicking never comes near these, a script looping on a stolen session does.
    @property
    def CONSOLE_CREATE_LIMIT(self) -> int:
        return int(getattr(settings, "APIKEYS_CONSOLE_CREATE_LIMIT", 20))

    @property
    def CONSOLE_REVOKE_LIMIT(self) -> int:
        return int(getattr(settings, "APIKEYS_CONSOLE_REVOKE_LIMIT", 60))

    # Each roll costs an Argon2id hash and two audit rows, as a create does.
    @property
    def CONSOLE_ROLL_LIMIT(self) -> int:
        return int(getattr(settings, "APIKEYS_CONSOLE_ROLL_LIMIT", 20))

    @property
    def CONSOLE_WINDOW_SECONDS(self) -> int:
        return int(getattr(settings, "APIKEYS_CONSOLE_WINDOW_SECONDS", 600))

    # Reports of exposed keys (POST /v1/keys/revoke, no authentication) per client address
    # per window: generous for a scanner's bursts, a bound on anyone probing with it.
    @property
    def EXPOSURE_REPORTS_PER_ADDRESS(self) -> int:
        return int(getattr(settings, "APIKEYS_EXPOSURE_REPORTS_PER_ADDRESS", 60))

    @property
    def EXPOSURE_REPORT_WINDOW_SECONDS(self) -> int:
        return int(getattr(settings, "APIKEYS_EXPOSURE_REPORT_WINDOW_SECONDS", 3600))


conf = Settings()
