/*
 * Starts Swagger UI on the API docs page (templates/api/swagger_ui.html) from a static file,
 * so that the page needs no inline script under the Content-Security-Policy.
 *
 * #swagger-ui carries the schema's address, drf-spectacular's SWAGGER_UI_SETTINGS (JSON) and
 * the CSRF header and token: "Try it out" with the browser's session sends them on every
 * request that changes something, as Django asks.
 */
(function () {
  "use strict";

  var element = document.getElementById("swagger-ui");
  var data = element.dataset;
  var settings = data.settings ? JSON.parse(data.settings) : {};

  function requestInterceptor(request) {
    var method = (request.method || "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD" && request.credentials === "same-origin") {
      request.headers[data.csrfHeader] = data.csrfToken;
    }
    return request;
  }

  window.ui = SwaggerUIBundle(
    Object.assign(
      {
        url: data.schemaUrl,
        domNode: element,
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        // The public validator would be sent the schema's address and is another origin.
        validatorUrl: null,
        requestInterceptor: requestInterceptor,
      },
      settings,
    ),
  );
})();
