"""Small browser scripts run on events (Gradio's js=): scrolling the chat and the source panel."""

# The chat shows a new answer from its start (the question, then the lead that answers it), not its end: Gradio's
# autoscroll is off and this puts the newest question at the top of the chat, and in the window when the page is
# scrolled past it (a phone, after typing); without a question it keeps Gradio's behaviour (the end).
SHOW_NEWEST_QUESTION = """() => {
  setTimeout(() => {
    const chat = document.querySelector('#chat');
    if (!chat) return;
    const box = chat.querySelector('.bubble-wrap') || [...chat.querySelectorAll('div')].find(
      (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight);
    if (!box) return;
    const questions = box.querySelectorAll('.user-row');
    const last = questions[questions.length - 1];
    if (!last) { box.scrollTop = box.scrollHeight; return; }
    box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    last.scrollIntoView({block: 'nearest'});  // a phone shows the chat above the question box: up to the answer
  }, 50);
}"""
# The source panel scrolls (not the page) to the first answering (else cited) line; after a marker was clicked on a
# phone, the page scrolls to the panel, which comes right under the chat.
SCROLL_TO_MARK = """() => {
  setTimeout(() => {
    const box = document.querySelector('#quelle .pa-scroll');
    const hit = box && (box.querySelector('tr.pa-answer') || box.querySelector('tr.pa-hit'));
    if (hit) box.scrollTop = Math.max(0, hit.offsetTop - 2 * hit.offsetHeight);
    if (window.paScrollToSource) {
      window.paScrollToSource = false;
      const panel = document.querySelector('#quelle');
      if (panel) panel.scrollIntoView({block: 'start'});
    }
  }, 100);
}"""
# A download button gives the file at once (one click): once the file is written, its link under the buttons is
# clicked for the user; the link stays there to save the file again.
START_DOWNLOAD = """() => {
  let tries = 0;
  const poll = () => {
    const link = document.querySelector('#export-datei a[href]');
    const href = link && link.getAttribute('href');
    if (href && href !== window.paLastDownload) {
      window.paLastDownload = href;
      link.click();
    } else if (tries++ < 40) {
      setTimeout(poll, 100);
    }
  };
  setTimeout(poll, 50);
}"""
