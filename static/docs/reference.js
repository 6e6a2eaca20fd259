// Renders the API reference with Swagger UI (vendored by drf-spectacular-sidecar), read-only:
// no "Try it out", since an API key belongs on a server, never in a browser.
document.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("reference");
  if (!container || !window.SwaggerUIBundle) {
    return;
  }
  container.textContent = "";
  window.SwaggerUIBundle({
    url: container.dataset.specUrl,
    domNode: container,
    deepLinking: true,
    supportedSubmitMethods: [],
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
