/* Interactive API docs from the vendored Swagger UI, so /docs works offline and under the
 * same script-src 'self' policy as the dashboard (no inline script). */
window.addEventListener('load', function () {
  'use strict';
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis]
  });
});
