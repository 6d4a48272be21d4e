/* The auction room refreshes itself: it polls the sale's small JSON status every few seconds, counts the time
   left down between polls, and reloads the page when the sale changed (a new bid, an extension, the close). */
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room || !room.dataset.live) { return; }
  var left = document.getElementById("time-left");
  var seconds = left && left.dataset.seconds !== "" ? parseInt(left.dataset.seconds, 10) : null;
  var units = (left && left.dataset.units ? left.dataset.units : "h,min,s").split(",");

  function show() {
    if (left && seconds !== null) {
      var s = Math.max(0, seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      left.textContent = (h ? h + " " + units[0] + " " : "") + (h || m ? m + " " + units[1] + " " : "") +
        (s % 60) + " " + units[2];
    }
  }

  function poll() {
    fetch(room.dataset.live, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var typing = document.activeElement && document.activeElement.id === "bid-amount";
        if (String(data.version) !== room.dataset.version && !typing) { window.location.reload(); return; }
        seconds = data.seconds_left;
      })
      .catch(function () { /* offline for a moment: the next poll retries */ });
  }

  show();
  setInterval(function () { if (seconds !== null) { seconds -= 1; show(); } }, 1000);
  setInterval(poll, 3000);
})();
