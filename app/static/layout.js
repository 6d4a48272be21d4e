// Collapsing parts of the responsive layout: the site menu and the search facets' drawer on phones.
// A button with data-toggle="ID" opens and closes the element ID; without JavaScript both stay open.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-toggle]");
    if (!button) return;
    const target = document.getElementById(button.dataset.toggle);
    if (!target) return;
    const open = !target.classList.contains("open");
    target.classList.toggle("open", open);
    document.querySelectorAll('[data-toggle="' + button.dataset.toggle + '"]').forEach(function (each) {
      each.setAttribute("aria-expanded", String(open));
    });
  });
  document.addEventListener("keydown", function (event) {
    // Escape closes an open drawer or menu, as people expect of an overlay.
    if (event.key !== "Escape") return;
    document.querySelectorAll(".open[id]").forEach(function (element) {
      element.classList.remove("open");
      document.querySelectorAll('[data-toggle="' + element.id + '"]').forEach(function (each) {
        each.setAttribute("aria-expanded", "false");
      });
    });
  });
})();
