/* Appeal pages: small enhancements; every page works without them. */
(function () {
  "use strict";
  // Show how many photos were chosen next to the big photo buttons (the file inputs are visually hidden).
  function updateCount(form) {
    var out = form.querySelector(".photo-count");
    if (!out) return;
    var n = 0;
    form.querySelectorAll("input[type=file][name=photos]").forEach(function (input) { n += input.files ? input.files.length : 0; });
    out.textContent = n ? (out.dataset.template || "{n}").replace("{n}", String(n)) : "";
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][name=photos]") && input.form) updateCount(input.form);
  });
  // Voice input (语音输入) where the browser offers speech recognition; the button stays hidden otherwise.
  function setupVoice() {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    document.querySelectorAll("[data-voice-for]").forEach(function (button) {
      var field = document.getElementById(button.dataset.voiceFor);
      if (!Recognition || !field) return;
      button.hidden = false;
      var status = document.getElementById(button.dataset.voiceStatus);
      button.addEventListener("click", function () {
        var rec = new Recognition();
        rec.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
        rec.interimResults = false;
        rec.onstart = function () { button.setAttribute("aria-pressed", "true"); if (status) status.textContent = button.dataset.listening; };
        rec.onresult = function (event) {
          var text = Array.prototype.map.call(event.results, function (r) { return r[0].transcript; }).join("");
          field.value = (field.value ? field.value + " " : "") + text;
        };
        rec.onerror = function () { if (status) status.textContent = button.dataset.failed; };
        rec.onend = function () {
          button.setAttribute("aria-pressed", "false");
          if (status && status.textContent === button.dataset.listening) status.textContent = "";
        };
        rec.start();
      });
    });
  }
  // The workbench filters are a <details>: open on wide screens, folded on phones.
  function openFilters() {
    var box = document.getElementById("wb-filters");
    if (box && window.matchMedia("(min-width: 1000px)").matches) box.open = true;
  }
  // Mark the row whose appeal is open in the side pane.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#workbench-queue .row-link");
    if (!link) return;
    document.querySelectorAll("#workbench-queue tr.selected").forEach(function (tr) { tr.classList.remove("selected"); });
    var row = link.closest("tr");
    if (row) row.classList.add("selected");
  });
  // After an action in the side pane, show its top (the result message).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "wb-detail") {
      event.target.scrollTop = 0;
      // On phones the pane sits below the queue: bring it into view.
      if (!window.matchMedia("(min-width: 1000px)").matches) event.target.scrollIntoView({ block: "start" });
    }
  });
  // A refreshed queue keeps the open appeal's row marked.
  document.addEventListener("htmx:afterSettle", function () {
    var selected = new URLSearchParams(window.location.search).get("selected");
    if (!selected) return;
    var row = document.querySelector('#workbench-queue tr[data-appeal="' + selected.replace(/\D/g, "") + '"]');
    if (row && !row.classList.contains("selected")) row.classList.add("selected");
  });
  function ready() { openFilters(); setupVoice(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
