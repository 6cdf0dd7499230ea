// The CSV import form: send the file with a progress bar, then show the server's answer.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = document.getElementById("import-progress");
  var state = document.getElementById("import-state");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    bar.value = 0;
    state.textContent = state.dataset.sending;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round((100 * e.loaded) / e.total); }
    });
    request.upload.addEventListener("load", function () {
      bar.value = 100;
      bar.removeAttribute("value"); // indeterminate while the server imports
      state.textContent = state.dataset.working;
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.send(new FormData(form));
  });
})();
