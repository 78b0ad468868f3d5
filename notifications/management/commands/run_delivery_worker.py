"""Send queued email, SMS and Zalo messages and the daily digests, in a loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.worker_loop import PassResult, WorkerCommand
from notifications.fanout import fanouts_process
from notifications.outbox import deliveries_process, digests_send
from notifications.services import WAKE_CHANNEL


class Command(WorkerCommand):
    help = (
        "Deliver queued notifications with retries, and the daily digests. Several "
        "workers may run at once; each message is sent by one of them. SIGTERM or "
        "Ctrl-C: the send in progress finishes, the rest of the batch is handed back."
    )
    wake_channel = WAKE_CHANNEL
    heartbeat_name = "delivery"
    default_batch = 100
    batch_help = "Deliveries per claim."

    def run_pass(
        self, *, batch: int, should_stop: Callable[[], bool], options: dict[str, Any]
    ) -> PassResult:
        digests = digests_send()
        # First: a fan-out queues the deliveries the next step sends.
        told = fanouts_process(should_stop=should_stop)
        counts = deliveries_process(limit=batch, should_stop=should_stop)
        if told:
            counts["told"] = told
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"
        return PassResult(
            summary=f"deliveries: {summary}; digests: {digests}",
            full=sum(counts.values()) - told >= batch,
        )
