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
})();
