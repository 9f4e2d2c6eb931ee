/* The PDF progress page (templates/evaluations/report_progress.html): when the status poll says
 * the file is ready (an htmx "pdf-ready" event carrying its URL), the download starts by itself,
 * once. Without JavaScript the page refreshes itself and the ready URL answers with the file.
 */
(function () {
  "use strict";
  let started = false;
  document.addEventListener("pdf-ready", (event) => {
    const url = event.detail && event.detail.url;
    if (started || typeof url !== "string" || !url.startsWith("/")) return;
    started = true;
    window.location.assign(url);
  });
})();
