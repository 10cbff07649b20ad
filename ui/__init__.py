"""The chat app over the assistant: server settings, conversation state, handlers (plain functions), rendering,
layout and wiring (Gradio), the source view, export and feedback. The assistant never imports this package."""

import os

# Before gradio is imported (by ui.layout or ui.server): it reads this once, and nothing may be reported home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
