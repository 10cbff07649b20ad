"""The Gradio app: `python app.py [--port N] [--host H]` (or `protokoll serve`). The app itself is the ui package."""

from __future__ import annotations

import os
import sys

# Before gradio is imported: it reads this once, and nothing may be reported home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# After every answer Gradio's queue summarises the times of the last events in a pandas table (for its monitoring
# page, which this app does not show): 12 % of the server's work under load with a hundred events recorded, and
# growing with every event up to 10,000. Summarised once per 100 events over the last 1,000 instead.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")

import gradio as gr  # noqa: E402, F401 - tests patch app.gr.Blocks

from ui.layout import build_app  # noqa: E402
from ui.server import launch, main  # noqa: E402
from ui.settings import ServerSettings  # noqa: E402

__all__ = ["ServerSettings", "build_app", "launch", "main"]

if __name__ == "__main__":
    sys.exit(main())
