// Starts Swagger UI on /api/v1/docs/ from the site's own files (CSP: script-src 'self').
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    domNode: node,
    deepLinking: true,
    persistAuthorization: false,
  });
})();
