// Presentation mode keys for /prezentacja?pokaz=1 (see pages/_keys.py).
// st.html runs this script in the top (Streamlit) document; it installs one keydown listener
// there, so the presenter's clicker works while the page has focus. A key clicks one of the page's own Streamlit buttons (found by their
// `st-key-` class), so Streamlit reruns the page and updates the `slajd` query param.
// Nothing is fetched: it works offline. No "less than" sign may appear in this file:
// Streamlit's HTML sanitizer drops a script whose text looks like markup.
(function () {
  const config = __CONFIG__;
  const top = window;
  const doc = top.document;
  const clickKey = (key) => {
    const button = doc.querySelector(".st-key-" + key + " button");
    if (button && !button.disabled) button.click();
  };
  const fullscreen = () => {
    if (doc.fullscreenElement) doc.exitFullscreen();
    else if (doc.documentElement.requestFullscreen) doc.documentElement.requestFullscreen();
  };
  const onKey = (event) => {
    // Only while the presentation mode is on screen, and never while typing in a field.
    if (!doc.querySelector(".st-key-" + config.next)) return;
    const target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    let key = null;
    if (["ArrowRight", "PageDown", " ", "Spacebar"].includes(event.key)) key = config.next;
    else if (["ArrowLeft", "PageUp"].includes(event.key)) key = config.prev;
    else if (event.key === "Escape") key = config.exit;
    else if (event.key === "f" || event.key === "F") { event.preventDefault(); fullscreen(); return; }
    if (key === null) return;
    event.preventDefault();
    clickKey(key);
  };
  // The script may run again (a new page load of the element): one listener, the newest.
  if (top.__mapaPokazKeys) doc.removeEventListener("keydown", top.__mapaPokazKeys, true);
  top.__mapaPokazKeys = onKey;
  doc.addEventListener("keydown", onKey, true);
  // The full-screen button is plain HTML in the top document: its click is a user gesture
  // there, which the Fullscreen API requires.
  const wire = () => {
    const button = doc.getElementById(config.fullscreen);
    if (button && button.__mapaFullscreen !== fullscreen) {
      if (button.__mapaFullscreen) button.removeEventListener("click", button.__mapaFullscreen);
      button.__mapaFullscreen = fullscreen;
      button.addEventListener("click", fullscreen);
    }
  };
  wire();
  if (top.__mapaPokazObserver) top.__mapaPokazObserver.disconnect();
  top.__mapaPokazObserver = new MutationObserver(wire);
  top.__mapaPokazObserver.observe(doc.body, { childList: true, subtree: true });
})();
