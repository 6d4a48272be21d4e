// Behaviour shared by every page. It lives in a file, not in inline handlers, because the
// Content-Security-Policy allows scripts from this origin only (no 'unsafe-inline').
(function () {
  "use strict";

  // Cookie-authenticated API calls must carry the CSRF token: add it to this site's own
  // state-changing fetch() requests so no caller can forget it.
  var meta = document.querySelector('meta[name="csrf-token"]');
  var nativeFetch = window.fetch;
  if (meta && nativeFetch) {
    window.fetch = function (resource, init) {
      init = Object.assign({}, init || {});
      var method = (init.method || (resource && resource.method) || "GET").toUpperCase();
      var url = new URL(resource && resource.url ? resource.url : String(resource), window.location.href);
      if (url.origin === window.location.origin && ["GET", "HEAD", "OPTIONS"].indexOf(method) < 0) {
        var headers = new Headers(init.headers || (resource && resource.headers) || {});
        if (!headers.has("X-CSRFToken")) { headers.set("X-CSRFToken", meta.content); }
        init.headers = headers;
      }
      return nativeFetch.call(window, resource, init);
    };
  }

  // <form data-confirm="question">: ask before submitting (was an inline onsubmit).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // <select|input data-autosubmit>: submit the form on change (was an inline onchange).
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
      event.target.form.submit();
    }
  });

  // <span class="bar" data-width="42.5">: bar lengths set through the CSSOM, which the CSP allows
  // (a style="" attribute would need 'unsafe-inline').
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-width") + "%";
    });
  });
})();
