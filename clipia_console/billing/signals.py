"""How the packages above billing hear of spending, without billing importing them.

``spent`` is sent with ``api_key=<ApiKey>`` and ``spent=<spending.Spent>`` once a claim
stands (``spending.keep``), *inside* the charging transaction: a receiver's writes (a
budget notice claimed) commit or roll back with the charge. Anything that leaves the
process must wait for the commit (``transaction.on_commit``); notifications does.
"""

from __future__ import annotations

from django.dispatch import Signal

spent = Signal()
