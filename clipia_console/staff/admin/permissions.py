"""What each admin permission really grants, said once for staff who hand them out.

Shown as the help text of a user's permissions in the admin, and repeated in the README's
admin section. Each permission is named as the admin's permission list shows it; what it
grants is said in consequences, not Django's generic verbs: "change API key" means
revoking any customer's key.
"""

from __future__ import annotations

from typing import Final

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

GRANTS: Final = (
    (
        "API keys | API key | Can view API key",
        "list every customer's keys and their audit trail; find the key for a leaked key",
    ),
    (
        "API keys | API key | Can add API key",
        "mint a key, live or test, for any active customer and see it "
        "once; live keys spend the customer's credits (the owner search also needs "
        "Authentication and Authorization | user | Can view user)",
    ),
    (
        "API keys | API key | Can change API key",
        "rename, annotate, set the request limit of, roll (seeing the new key once) and "
        "revoke any customer's keys (irreversible), and end an old secret's grace",
    ),
    (
        "API keys | API key event | Can view API key event",
        "read the audit trail, including client addresses",
    ),
    ("Clipia billing | account | Can view account", "see balances and every ledger entry"),
    ("Clipia billing | account | Can add account", "grant a customer's first credits"),
    (
        "Clipia billing | account | Can change account",
        "grant and deduct credits for any customer, and refund generations",
    ),
    (
        "Clipia generations | generation | Can view generation",
        "see generations, their prompts and results",
    ),
)


def _help() -> SafeString:
    items = format_html_join("", "<li><strong>{}</strong>: {}.</li>", GRANTS)
    return SafeString(
        "Specific permissions for this user. What the Clipia ones grant:"
        f"<ul>{items}</ul>Nobody can delete keys, accounts, ledger entries or generations."
    )


PERMISSIONS_HELP: Final = _help()
