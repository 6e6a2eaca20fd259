"""The exposure notice is decided by the audit event of a revocation (apikeys.signals
.key_event), so apikeys never imports notifications; other revocations tell nobody."""

from __future__ import annotations

from typing import Any

from django.core import mail

from apikeys import rolling, services
from apikeys.models import ApiKey
from clipia_console.notifications import key_notices
from clipia_console.notifications.models import Notice
from tests.support import STAFF_COMMAND


def test_a_key_revoked_as_exposed_claims_one_notice_and_tells_the_owner(
    live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Any
) -> None:
    row, raw = live_key

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_key(row, actor=STAFF_COMMAND, reason=rolling.EXPOSED)

    notice = Notice.objects.get(api_key=row)
    assert notice.kind == key_notices.EXPOSED and notice.sent_at is not None
    assert len(mail.outbox) == 1 and "Someone reported the key" in mail.outbox[0].body
    assert raw not in mail.outbox[0].body


def test_a_key_revoked_for_another_reason_tells_nobody(
    live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Any
) -> None:
    row, _ = live_key

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_key(row, actor=STAFF_COMMAND, reason="no longer needed")

    assert mail.outbox == [] and not Notice.objects.exists()
