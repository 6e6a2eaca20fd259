"""How the packages above apikeys hear what happens to a key, without apikeys importing
them (as knox's ``token_expired``).

``key_event`` is sent once per audit event (``apikeys.audit.record``) with
``event=<ApiKeyEvent>``, *inside* the transaction that records it: a receiver's writes
commit or roll back with the change itself, so a notice claimed there can never be lost
nor claimed for a change that did not happen. Anything that leaves the process (an e-mail,
a webhook) must wait for the commit (``transaction.on_commit``); notifications does.
"""

from __future__ import annotations

from django.dispatch import Signal

key_event = Signal()

# Sent by ``apikeys.services.create_key`` inside its transaction, right after the key's
# row and CREATED event, with ``api_key``, ``controls`` (an apikeys.controls.KeyControls)
# and ``actor``: the billing layer sets the budget asked for there, so a failure anywhere
# leaves no key, without apikeys importing billing.
key_created = Signal()
