"""Gradio's session state, without copying the page's configuration on every event.

Gradio keeps in each session a copy of the configuration of every block of the page (52 here), made when the
session starts and updated with every value an event reads or writes, only so that its "deep link" feature can
restore a session (this app has no deep link button). Under 32 users asking at once that copying was the
server's largest single cost, larger than answering, and most of it ran on the event loop, holding up every
other request (benchmarks/load.py). Here the copies are made when something reads them.
"""

from __future__ import annotations

import datetime
import os
from copy import copy

from gradio import state_holder


class LazySessionState(state_holder.SessionState):
    """A SessionState that records which blocks changed and makes their configuration copies when read."""

    def __init__(self, blocks) -> None:  # noqa: D107 - Gradio's SessionState.__init__ without the eager copies
        self.blocks_config = copy(blocks.default_config)
        self._page_blocks = blocks.blocks
        self._configs: dict = {}  # key → configuration copy, made when read
        self._touched: set = set()  # blocks an event set (a copy is made for them too)
        self._values: dict = {}  # key → the value an event read or wrote last (applied when read)
        self.state_data: dict = {}
        self._state_ttl: dict = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    def __setitem__(self, key: int, value) -> None:
        from gradio.components import State

        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:
            self.blocks_config.blocks[key] = value
        if block:
            self._update_config(key)

    def _update_config(self, key: int) -> None:
        self._configs.pop(key, None)
        self._values.pop(key, None)
        self._touched.add(key)

    def _update_value_in_config(self, key: int, value) -> None:
        self._touched.add(key)
        self._values[key] = value

    @property
    def config_values(self) -> dict:
        """Every block's configuration copy as Gradio's own SessionState would hold it now."""
        for key, block in self.blocks_config.blocks.items():
            if key not in self._configs and (key in self._page_blocks or key in self._touched):
                self._configs[key] = self.blocks_config.config_for_block(key, [], block)
        for key, value in self._values.items():
            if "props" in self._configs.get(key, {}):
                self._configs[key]["props"]["value"] = value
        self._values.clear()
        return self._configs


def install() -> None:
    """Let Gradio's StateHolder make LazySessionState objects (it looks the class up in its module)."""
    state_holder.SessionState = LazySessionState
