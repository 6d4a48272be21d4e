// Title suggestions as you type, from the search API (only listings this visitor may see).
(function () {
  "use strict";
  const box = document.querySelector("#search-form input[name=q]");
  const list = document.getElementById("suggestions");
  if (!box || !list) { return; }
  let timer = null, last = "";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const typed = box.value.trim();
      if (!typed || typed === last || typed.length > 50) return;
      last = typed;
      const response = await fetch(box.dataset.suggest + "?q=" + encodeURIComponent(typed), {credentials: "same-origin"});
      if (!response.ok) return;
      const body = await response.json();
      list.replaceChildren(...body.suggestions.map(function (text) {
        const option = document.createElement("option"); option.value = text; return option;
      }));
    }, 150);
  });
})();
