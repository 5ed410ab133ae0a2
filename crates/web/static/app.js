// Clearinghouse front-end glue. No inline script is allowed by the Content-Security-Policy,
// so everything the pages need beyond plain HTML forms lives here.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // htmx requests carry the CSRF token as a header, like forms carry it as a field.
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
  // GOV.UK's error summary takes the focus, so a screen reader announces the problems and
  // a keyboard user is one Tab away from the first field to fix.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
