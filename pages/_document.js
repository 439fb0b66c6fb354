// The app's document, mended for WCAG 2.1 AA (run by app.py through st.html on every page).
// No "less than" sign in this file: Streamlit's sanitizer drops a script containing one.
(function () {
  document.documentElement.lang = "pl";
  if (window.pesDocumentMended) { return; }
  window.pesDocumentMended = true;
  // A container of fixed height scrolls: it must take keyboard focus to be scrolled by keys.
  var mark = function () {
    document.querySelectorAll('.stVerticalBlock[overflow="auto"]').forEach(function (box) {
      if (!box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Przewijana lista");
      }
    });
  };
  mark();
  new MutationObserver(mark).observe(document.body, { childList: true, subtree: true });
})();
