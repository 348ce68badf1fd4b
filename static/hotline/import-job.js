// The page of a background import (admin, ImportJob): polls its status once a second and
// moves the progress bar; reloads the page when the job's state or step changes, so that the
// server draws the preview, the result or the error.
(function () {
  "use strict";
  var root = document.getElementById("import-job");
  if (!root) return;
  var url = root.dataset.statusUrl;
  var bar = root.querySelector("progress");
  var rowsLine = root.querySelector(".import-job-rows");

  function number(n) {
    return n === null || n === undefined ? "" : n.toLocaleString();
  }

  function show(status) {
    var label = root.querySelector('[data-field="state_label"]');
    if (label) label.textContent = status.state_label;
    if (bar) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
    }
    if (rowsLine) {
      var text = rowsLine.dataset.rowsLabel + ": " + number(status.rows);
      if (status.total) text += " / " + number(status.total);
      text += " (" + status.percent + "%)";
      if (status.rate) text += " · " + number(status.rate) + " " + rowsLine.dataset.rateLabel;
      if (status.seconds_left !== null && status.seconds_left !== undefined) {
        text += " · " + rowsLine.dataset.leftLabel.replace("{seconds}", number(status.seconds_left));
      }
      rowsLine.textContent = text;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (status) {
        if (status.state !== root.dataset.state || status.step !== root.dataset.step) {
          window.location.reload();
          return;
        }
        show(status);
        if (!status.ended) window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  if (root.dataset.state === "queued" || root.dataset.state === "running") poll();
})();
