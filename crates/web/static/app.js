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

// casepage: "select all" for bulk forms. The check box is hidden until this runs, so
// without JavaScript the rows' own check boxes (which the form needs anyway) are all.
(function () {
  "use strict";
  function enhance() {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var form = all.form;
      if (!form) { return; }
      var name = all.getAttribute("data-select-all");
      function boxes() {
        return Array.prototype.filter.call(form.elements, function (el) {
          return el.type === "checkbox" && el.name === name;
        });
      }
      function sync() {
        var b = boxes();
        var checked = b.filter(function (el) { return el.checked; }).length;
        all.checked = b.length > 0 && checked === b.length;
        all.indeterminate = checked > 0 && checked < b.length;
      }
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes().forEach(function (el) { el.checked = all.checked; });
        sync();
      });
      form.addEventListener("change", function (e) {
        if (e.target !== all && e.target.name === name) { sync(); }
      });
      sync();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
