"use strict";
// Swagger UI on this site's API schema: drf-spectacular's settings script
// without its login plumbing (the API has no logins) and so without a CSRF token.
window.ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...{{ settings|safe }},
});
