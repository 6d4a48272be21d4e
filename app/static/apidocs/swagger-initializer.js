// Starts Swagger UI on /api/v1/docs (a file, not an inline script, for the CSP). "Try it out" with the
// session cookie sends the CSRF token like the rest of the site; with a bearer token none is needed.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var token = document.querySelector('meta[name="csrf-token"]');
  var config = Object.assign({url: container.dataset.specUrl, dom_id: "#swagger-ui-container"},
                             JSON.parse(container.dataset.config || "{}"));
  config.requestInterceptor = function (req) {
    if (token && ["GET", "HEAD", "OPTIONS"].indexOf((req.method || "GET").toUpperCase()) < 0) {
      req.headers["X-CSRFToken"] = token.content;
    }
    return req;
  };
  window.ui = SwaggerUIBundle(config);
})();
