"""clipia_console.settings wires the environment to the packages' settings: a variable that
is set reaches its setting under the same name; one that is unset leaves the setting out,
so the default in the package's conf.py applies. Each case runs the settings in a fresh
interpreter, as a server starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

READ = """
import json, sys
from clipia_console import settings as s
app_modules = sorted(
    name for name in sys.modules
    if name.startswith("apikeys") or name.startswith("clipia_console.") and name.split(".")[1]
    not in ("config", "settings", "settings_packages")
)
from clipia_console.accounts.conf import conf as accounts
from clipia_console.lib.conf import conf as lib
print(json.dumps({
    "defined": sorted(n for n in dir(s) if n.startswith("APIKEYS_")),
    "app_modules_imported_by_settings": app_modules,
    "NUM_PROXIES": lib.APIKEYS_NUM_PROXIES,
    "CACHE_RETRY": lib.APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS,
    "CONFIRM": accounts.APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS,
    "SIGN_IN_WINDOW": accounts.RATE_LIMITS["sign-in:username"].window,
}))
"""


def read_settings(**variables: str) -> dict[str, Any]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("APIKEYS_")}
    env.update(DJANGO_SETTINGS_MODULE="clipia_console.settings", DJANGO_DEBUG="true")
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_set_variable_reaches_its_setting_and_the_package_conf() -> None:
    found = read_settings(
        APIKEYS_NUM_PROXIES="2",
        APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS="120",
        APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS="60",
    )

    assert found["defined"] == [
        "APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS",
        "APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS",
        "APIKEYS_NUM_PROXIES",
    ]
    assert found["NUM_PROXIES"] == 2
    assert found["CONFIRM"] == 120
    assert found["SIGN_IN_WINDOW"] == 60


def test_an_unset_variable_leaves_the_package_default() -> None:
    found = read_settings()

    assert found["defined"] == []
    assert found["NUM_PROXIES"] == 0
    assert found["CACHE_RETRY"] == 30
    assert found["CONFIRM"] == 15 * 60
    assert found["SIGN_IN_WINDOW"] == 900


def test_an_empty_variable_counts_as_unset() -> None:
    found = read_settings(APIKEYS_NUM_PROXIES="")

    assert "APIKEYS_NUM_PROXIES" not in found["defined"]
    assert found["NUM_PROXIES"] == 0


def test_the_settings_import_no_app_code() -> None:
    assert read_settings()["app_modules_imported_by_settings"] == []
