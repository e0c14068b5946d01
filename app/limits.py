"""Limits on work the API runs at once: a request finding every slot of its kind taken is refused at once
(Busy: 429 with Retry-After) rather than queued behind the others, so the API's threads stay free for the
rest, /health among them."""

from __future__ import annotations

import threading
from collections.abc import Callable

from graph.errors import Busy


class Slots:
    """``limit`` slots of one kind of work; ``refusal`` is what a request that finds none free is told."""

    def __init__(self, limit: int, refusal: str, retry_after_s: int = 5) -> None:
        self.limit = limit
        self.refusal = refusal
        self.retry_after_s = retry_after_s
        self._free = threading.BoundedSemaphore(limit)

    def take(self) -> Callable[[], None]:
        """A free slot's release (safe to call twice); Busy when all ``limit`` are taken."""
        if not self._free.acquire(blocking=False):
            raise Busy(self.refusal, retry_after_s=self.retry_after_s)
        released = threading.Event()

        def release() -> None:
            if not released.is_set():
                released.set()
                self._free.release()

        return release


def export_slots(limit: int) -> Slots:
    """The process's exports: each holds a slot from its first read to its last byte."""
    return Slots(
        limit,
        f"{limit} exports are already running, the most this server runs at once "
        "(INNOGRAPH_MAX_CONCURRENT_EXPORTS): try again in a few seconds, or export less "
        "(label=, type=, or a view's Export link)",
    )


def cypher_slots(limit: int) -> Slots:
    """The process's POST /cypher queries: each holds a slot while Neo4j plans and runs it."""
    return Slots(
        limit,
        f"{limit} Cypher queries are already running, the most this server runs at once "
        "(INNOGRAPH_MAX_CONCURRENT_CYPHER): try again in a few seconds",
        retry_after_s=2,
    )
