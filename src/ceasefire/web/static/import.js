// The CSV import form: a determinate progress bar through both steps, then the server's
// answer. 1. Sending: the upload's own progress events (bytes sent of the file's size).
// 2. Importing: the server's progress for this import (rows written of the rows to write,
// after each committed batch), asked for every 400 ms from /reports/import/progress with the
// random job id sent along with the file; while the file is still being checked, the bar
// stands at 0 with its own label. Every text comes translated from the page. 3. The answer:
// a page (the import's, or an error's: it asks for HTML) replaces this one; anything else is
// worded here, never written out raw.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.crypto) { return; }
  var bar = document.getElementById("import-progress");
  var state = document.getElementById("import-state");
  var text = state.dataset;

  function jobId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function show(done, total, label) {
    bar.max = Math.max(1, total);
    bar.value = Math.min(done, bar.max);
    state.textContent = label;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var job = jobId();
    var body = new FormData(form);
    body.set("job", job);
    var polling = null;
    var finished = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    // Errors raised before the route's own page (413, the CSRF check, no file) come as a
    // page too, worded in the reader's language, not as the API's JSON.
    request.setRequestHeader("Accept", "text/html");
    bar.hidden = false;
    show(0, 100, text.sending);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { show(e.loaded, e.total, text.sending); }
    });
    function poll() {
      fetch("/reports/import/progress?job=" + job, { credentials: "same-origin", cache: "no-store" })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (progress) {
          if (finished || !progress) { return; }
          if (progress.phase === "writing") {
            show(progress.done, progress.total,
                 text.writing.replace("{done}", progress.done).replace("{total}", progress.total));
          }
        })
        .catch(function () { /* the form's own answer still comes */ })
        .then(function () { if (!finished) { polling = setTimeout(poll, 400); } });
    }
    request.upload.addEventListener("load", function () {
      show(0, 100, text.checking);
      poll();
    });
    function done() {
      finished = true;
      clearTimeout(polling);
    }
    request.addEventListener("load", function () {
      done();
      if ((request.getResponseHeader("Content-Type") || "").indexOf("text/html") !== 0) {
        bar.hidden = true;
        state.textContent = text.refused.replace("{status}", request.status);
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      done();
      state.textContent = text.failed;
    });
    request.send(body);
  });
})();
