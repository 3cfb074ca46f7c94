// While an import runs, fetch this page every few seconds and put the new state in place
// (an aria-live region), instead of reloading the whole page: nothing moves under the
// reader, and the polling stops by itself once the job is no longer busy.
(function () {
  "use strict";
  var SECONDS = 3;
  function poll() {
    var region = document.getElementById("import-status");
    if (!region || !region.hasAttribute("data-busy")) return;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("import-status");
          if (!fresh) return;
          if (fresh.hasAttribute("data-busy")) {
            region.innerHTML = fresh.innerHTML;
            poll();
          } else {
            window.location.reload();  // done: the whole page (problems table, links) changes
          }
        })
        .catch(function () { poll(); });
    }, SECONDS * 1000);
  }
  poll();
})();
