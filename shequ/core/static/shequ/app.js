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
  // Our own file buttons (core/_file_pick.html): say how many files were chosen.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".file-pick input[type=file]")) return;
    var out = input.parentNode.querySelector(".file-count");
    if (out) out.textContent = input.files.length ? out.dataset.template.replace("{n}", input.files.length) : "";
  });
})();
