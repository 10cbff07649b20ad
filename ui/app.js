// The answer's markers [n] as links to its sources: a click (or Enter) opens that source in the panel, on a phone
// the panel under the chat is scrolled into view; hovering or focusing a marker previews the quoted line.
(() => {
  const MARKER = /#quelle-(\d+)-(\d+)$/;
  const markerLink = (node) => {
    const link = node && node.closest ? node.closest('a[href*="#quelle-"]') : null;
    return link && link.closest('#chat') && MARKER.test(link.getAttribute('href') || '') ? link : null;
  };
  const narrow = () => window.matchMedia('(max-width: 760px)').matches;

  document.addEventListener('click', (event) => {
    const link = markerLink(event.target);
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    event.stopImmediatePropagation();
    const [, turn, marker] = link.getAttribute('href').match(MARKER);
    window.paMarker = `${turn}-${marker}`;
    window.paScrollToSource = narrow();
    hide();
    const button = document.querySelector('#marke-oeffnen');
    if (button) button.click();
    if (narrow()) {
      // The source shown may not change (its marker was open already): the panel is brought into view anyway, once:
      // whichever comes first, this or the panel's change (SCROLL_TO_MARK), scrolls and clears the flag.
      setTimeout(() => {
        if (!window.paScrollToSource) return;
        window.paScrollToSource = false;
        const panel = document.querySelector('#quelle');
        if (panel) panel.scrollIntoView({block: 'start'});
      }, 400);
    }
  }, true);
  // Enter on a focused marker opens its source through the click above; the chat message around it must not also
  // take the key as a selection of the whole answer (Gradio's message handles Enter), which showed source [1].
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && markerLink(event.target)) event.stopPropagation();
  }, true);

  let tip = null;
  const show = (link) => {
    if (!link.dataset.preview) {
      link.dataset.preview = link.getAttribute('title') || '';
      link.removeAttribute('title');  // the preview below replaces the browser's own tooltip
    }
    if (!link.dataset.preview) return;
    if (!tip) {
      tip = document.createElement('div');
      tip.id = 'pa-vorschau';
      tip.setAttribute('role', 'tooltip');
      document.body.appendChild(tip);
    }
    tip.textContent = link.dataset.preview;
    const box = link.getBoundingClientRect();
    tip.style.display = 'block';
    const width = Math.min(360, window.innerWidth - 16);
    tip.style.maxWidth = `${width}px`;
    tip.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + window.scrollX}px`;
    tip.style.top = `${box.bottom + 6 + window.scrollY}px`;
    link.setAttribute('aria-describedby', 'pa-vorschau');
  };
  const hide = () => { if (tip) tip.style.display = 'none'; };
  document.addEventListener('mouseover', (event) => { const link = markerLink(event.target); if (link) show(link); });
  document.addEventListener('mouseout', (event) => { if (markerLink(event.target)) hide(); });
  document.addEventListener('focusin', (event) => { const link = markerLink(event.target); if (link) show(link); else hide(); });
  document.addEventListener('focusout', (event) => { if (markerLink(event.target)) hide(); });
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') hide(); });

  // A marker follows every quoted line, so an answer has a dozen links to the same few sources: the Tab key stops
  // at the first link to each source only (the others stay links for the mouse and for screen readers' lists).
  const thin = () => {
    const seen = new Set();
    for (const link of document.querySelectorAll('#chat a[href*="#quelle-"]')) {
      const href = link.getAttribute('href');
      if (!MARKER.test(href || '')) continue;
      if (seen.has(href)) { if (link.getAttribute('tabindex') !== '-1') link.setAttribute('tabindex', '-1'); }
      else seen.add(href);
    }
  };
  let pending = false;
  const watch = () => new MutationObserver(() => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; thin(); }, 100);
  }).observe(document.body, {childList: true, subtree: true});
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();

// Gradio's own messages that no translation reaches (its toast for a full queue, a lost connection): in German.
(() => {
  const GERMAN = [
    [/This application is currently busy\. Please try again\.?/g,
     'Gerade fragen sehr viele Personen gleichzeitig. Bitte versuchen Sie es in einigen Sekunden noch einmal.'],
    [/Queue is full\.?( Max size is \d+ and size is \d+\.)?/g,
     'Gerade fragen sehr viele Personen gleichzeitig. Bitte versuchen Sie es in einigen Sekunden noch einmal.'],
    [/Connection errored out\.?/g, 'Die Verbindung zum Server ist unterbrochen.'],
  ];
  const LABELS = {'More tabs': 'Weitere Reiter', 'Copy': 'Kopieren', 'Copy conversation': 'Unterhaltung kopieren',
    'Copy message': 'Nachricht kopieren', 'Close': 'Schließen', 'Clear': 'Leeren'};
  // A message box's title is the kind of message, in English ("Error"): the app's messages are hints.
  const TITLES = {'Error': 'Hinweis', 'Warning': 'Hinweis', 'Info': 'Hinweis'};
  const translate = (node) => {
    for (const element of [node, ...node.querySelectorAll('[aria-label]')]) {
      const label = element.getAttribute && element.getAttribute('aria-label');
      if (label && LABELS[label]) element.setAttribute('aria-label', LABELS[label]);
    }
    const titles = node.classList && node.classList.contains('toast-title') ? [node] : [];
    for (const title of [...titles, ...node.querySelectorAll('.toast-title')]) {
      const words = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
      for (let text = words.nextNode(); text; text = words.nextNode()) {
        const german = TITLES[text.nodeValue.trim()];
        if (german) text.nodeValue = text.nodeValue.replace(text.nodeValue.trim(), german);
      }
    }
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      let value = text.nodeValue;
      for (const [english, german] of GERMAN) value = value.replace(english, german);
      if (value !== text.nodeValue) text.nodeValue = value;
    }
  };
  const start = () => new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE) translate(node);
      else if (node.nodeType === Node.TEXT_NODE && node.parentNode) translate(node.parentNode);
    }
  }).observe(document.body, {childList: true, subtree: true});
  const begin = () => { translate(document.body); start(); };
  if (document.body) begin(); else document.addEventListener('DOMContentLoaded', begin);
})();

// A question over the limit is not cut (a paste would lose its end without a word): a line under the box says how
// much too long it is while typing, and the answer refuses it with the same message, the text staying in the box.
(() => {
  const limit = window.paQuestionLimit || 0;
  if (!limit) return;
  document.addEventListener('input', (event) => {
    const box = event.target;
    if (!box || !box.closest || !box.closest('#frage') || box.tagName !== 'TEXTAREA') return;
    const field = box.closest('#frage');
    let note = document.querySelector('#frage-laenge');
    if (!note) {
      note = document.createElement('p');
      note.id = 'frage-laenge';
      note.setAttribute('role', 'status');
      field.insertAdjacentElement('afterend', note);
      box.setAttribute('aria-describedby', 'frage-laenge');
    }
    const length = box.value.length;
    note.textContent = length > limit
      ? `Die Frage ist zu lang: ${length} Zeichen, höchstens ${limit}. Bitte kürzen Sie sie um ${length - limit} Zeichen.`
      : '';
    note.hidden = length <= limit;
  });
})();

// The question box takes the focus when the page opens on a wide screen. Not on a phone: focusing scrolled the page
// past the title and the introduction and opened the keyboard before anything was read.
(() => {
  if (window.matchMedia('(max-width: 760px)').matches) return;
  let tries = 0;
  const focusQuestion = () => {
    const box = document.querySelector('#frage textarea');
    if (box) {
      if (!document.activeElement || document.activeElement === document.body) box.focus({preventScroll: true});
      return;
    }
    if (tries++ < 100) setTimeout(focusQuestion, 100);
  };
  focusQuestion();
})();
