"""The session state that makes its configuration copies when read must hold what Gradio's own would: the same
events through both, the same state, the same session-specific components and the same copies when read."""

from __future__ import annotations

import asyncio

import gradio as gr
from gradio.state_holder import SessionState, StateHolder

from ui import sessions


def small_page() -> gr.Blocks:
    with gr.Blocks() as page:
        question = gr.Textbox(label="Frage")
        history = gr.State([])
        choices = gr.Radio(choices=[], label="Quellen")
        shown = gr.Markdown("")

        def answer(text, earlier):
            earlier = [*earlier, text]
            return (earlier, gr.update(choices=[(f"[{n}] {q}", str(n)) for n, q in enumerate(earlier, 1)],
                                       value="1", label=f"{len(earlier)} Quellen"), f"**{text}**")

        question.submit(answer, [question, history], [history, choices, shown])
    return page


def run_events(page: gr.Blocks, state: SessionState, questions: list[str]) -> list[dict]:
    outputs = []
    for text in questions:
        # inputs as the page sends them: the state's slot is None, the server holds its value
        outputs.append(asyncio.run(page.process_api(block_fn=0, inputs=[text, None], state=state))["data"])
    return outputs


def test_lazy_session_state_holds_what_gradios_own_holds():
    page = small_page()
    eager, lazy = SessionState(page), sessions.LazySessionState(page)
    questions = ["Was läuft gut in Schalke?", "Und in Bismarck?"]

    assert run_events(page, eager, questions) == run_events(page, lazy, questions)
    history_id = next(key for key, block in page.blocks.items() if isinstance(block, gr.State))
    assert lazy[history_id] == eager[history_id] == questions
    radio_id = next(key for key, block in page.blocks.items() if isinstance(block, gr.Radio))
    assert lazy[radio_id] is not page.blocks[radio_id], "the update makes a component of the session's own"
    assert lazy[radio_id].label == eager[radio_id].label == "2 Quellen"
    assert list(lazy.components) == list(eager.components)
    assert lazy.config_values == eager.config_values


def test_lazy_session_state_makes_no_copies_until_read():
    page = small_page()
    lazy = sessions.LazySessionState(page)
    run_events(page, lazy, ["Was läuft gut in Schalke?"])
    assert lazy._configs == {}
    assert len(lazy.config_values) == len(SessionState(page).config_values)


def test_install_makes_gradios_state_holder_use_it():
    page = small_page()
    holder = StateHolder()
    holder.set_blocks(page)
    original = SessionState
    try:
        sessions.install()
        assert isinstance(holder["sitzung"], sessions.LazySessionState)
    finally:
        import gradio.state_holder

        gradio.state_holder.SessionState = original
