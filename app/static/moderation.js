// Review queue: the header checkbox selects or clears every listing of the page.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function (event) {
    document.querySelectorAll("input[name=items]").forEach(function (box) { box.checked = event.target.checked; });
  });
})();
