/* Draws each dashboard chart from the table under it (the table is the data; the CSV is the same table).
   Chart.js is served from static/vendor (no CDN). A chart card holds a <canvas> and a <table data-chart=kind>
   whose <th data-plot> columns are drawn, labelled by the row headers (rows marked data-noplot are left out);
   cells carry raw numbers in data-value. */
(function () {
  "use strict";
  var COLOURS = ["#1f6feb", "#e36209", "#2da44e", "#8250df", "#bf3989", "#6e7781"];

  function draw(card) {
    var canvas = card.querySelector("canvas");
    var table = card.querySelector("table[data-chart]");
    if (!canvas || !table || typeof Chart === "undefined") { return; }
    var kind = table.getAttribute("data-chart");
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr:not([data-noplot])"));
    var labels = rows.map(function (row) { var th = row.querySelector("th"); return th ? th.textContent.trim() : ""; });
    var datasets = [];
    heads.forEach(function (th, index) {
      if (!th.hasAttribute("data-plot")) { return; }
      var colour = COLOURS[datasets.length % COLOURS.length];
      datasets.push({
        label: th.textContent.trim(),
        data: rows.map(function (row) {
          var cell = row.children[index];
          var raw = cell ? cell.getAttribute("data-value") : "";
          return raw === "" || raw === null ? null : Number(raw);
        }),
        backgroundColor: colour, borderColor: colour, tension: 0.2
      });
    });
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: { beginAtZero: true } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chart-card"), draw);
  });
})();
