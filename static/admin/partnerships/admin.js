// The admin's own behaviour, on every admin page (templates/admin/base_site.html).
//
// Names each rich-text editor (a contenteditable "textbox" that stands in for
// its textarea) after the textarea's label, for screen readers: the editor is
// built by its own script, so each one is named as it appears.
(function () {
  "use strict";

  // On a screen narrower than 1440 px, the navigation sidebar starts closed,
  // so a changelist's columns have the width: its toggle («) opens it, and
  // Django's own script (which runs after this one) remembers the choice.
  var key = "django.admin.navSidebarIsOpen";
  try {
    if (localStorage.getItem(key) === null && window.innerWidth < 1440) {
      localStorage.setItem(key, "false");
    }
  } catch (error) {
    // No storage (a private window that refuses it): Django's default, open.
  }

  function name(editor) {
    if (editor.hasAttribute("aria-label") || editor.hasAttribute("aria-labelledby")) return;
    var container = editor.closest(".prose-editor");
    var textarea = container && container.querySelector("textarea[id]");
    var label = textarea && document.querySelector('label[for="' + textarea.id + '"]');
    if (!label) return;
    if (!label.id) label.id = textarea.id + "_label";
    editor.setAttribute("aria-labelledby", label.id);
  }

  function nameAll(root) {
    root.querySelectorAll('.prose-editor [role="textbox"]').forEach(name);
  }

  function start() {
    nameAll(document);
    new MutationObserver(function () { nameAll(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
