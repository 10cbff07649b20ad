"""The Gradio app: `python app.py [--port N] [--host H]` (or `protokoll serve`). The app itself is the ui package."""

from __future__ import annotations

import os
import sys

# Before gradio is imported: it reads this once, and nothing may be reported home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402, F401 - tests patch app.gr.Blocks

from ui.layout import build_app  # noqa: E402
from ui.server import launch, main  # noqa: E402
from ui.settings import ServerSettings  # noqa: E402

__all__ = ["ServerSettings", "build_app", "launch", "main"]

if __name__ == "__main__":
    sys.exit(main())
