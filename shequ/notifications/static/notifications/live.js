/* shequ live updates: one EventSource per page on /notifications/stream.
 * Updates #unread-count, shows a short toast, and dispatches `shequ:notification` on document.body
 * (bubbles) so pages can refresh themselves — with htmx: hx-trigger="shequ:notification from:body".
 * An element with id="workbench-queue" (or [data-live-refresh]) gets htmx's `shequ:refresh` event. */
(function () {
  "use strict";
  if (!window.EventSource) return;
  var script = document.currentScript;
  var url = script && script.dataset.stream;
  if (!url) return;
  var delay = 1000, source = null, toastTimer = null;

  function setCount(n) {
    var el = document.getElementById("unread-count");
    if (!el || typeof n !== "number") return;
    el.textContent = n > 0 ? String(n) : "";
    el.hidden = !(n > 0);
  }

  function toast(data) {
    var box = document.getElementById("live-toast");
    if (!box || !data.title) return;
    box.textContent = "";
    var link = document.createElement(data.url ? "a" : "span");
    if (data.url && data.url.charAt(0) === "/") link.href = data.url;
    link.textContent = data.title;
    box.appendChild(link);
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function refreshTargets(detail) {
    var targets = document.querySelectorAll("#workbench-queue, [data-live-refresh]");
    targets.forEach(function (el) {
      if (window.htmx) window.htmx.trigger(el, "shequ:refresh", detail);
    });
  }

  function onNotification(event) {
    var data = {};
    try { data = JSON.parse(event.data); } catch (e) { return; }
    setCount(data.unread);
    toast(data);
    document.body.dispatchEvent(new CustomEvent("shequ:notification", { bubbles: true, detail: data }));
    refreshTargets(data);
  }

  function connect() {
    source = new EventSource(url);
    source.addEventListener("hello", function (event) {
      delay = 1000;
      try { setCount(JSON.parse(event.data).unread); } catch (e) { /* ignore */ }
      document.documentElement.dataset.live = "on";
    });
    source.addEventListener("notification", onNotification);
    source.addEventListener("read", function (event) {
      try { setCount(JSON.parse(event.data).unread); } catch (e) { /* ignore */ }
    });
    source.onerror = function () {
      document.documentElement.dataset.live = "off";
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. a 401 or a proxy error): retry ourselves with backoff.
        source.close();
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  }

  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) connect(); });
  connect();
})();
