/* shequ: small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";
  // Disable a form's submit button after the first click so a double tap does not send twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.allowResubmit !== undefined) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        b.disabled = true;
      });
    }, 0);
  });
  // <select data-autosubmit> sends its form when changed (no inline handlers: see the Content-Security-Policy).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.requestSubmit();
  });
})();
