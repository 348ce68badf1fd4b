/* Draws every <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">.
   No inline script anywhere: the data blocks are not executed, and this file is served by the
   site itself, as is Chart.js (static/vendor/chartjs). */
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }
  var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  var numbers = new Intl.NumberFormat(lang.indexOf("en") === 0 ? "en" : "zh-CN");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var palette = ["#0b5cab", "#e08a00", "#2a9d8f", "#8a5cc2", "#c2410c", "#64748b", "#0f766e", "#b45309"];

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1b1f24";
  if (reduceMotion) {
    Chart.defaults.animation = false;
  }

  function format(value) {
    return value === null || value === undefined ? "—" : numbers.format(value);
  }

  function config(spec) {
    var kind = spec.kind;
    var type = kind === "hbar" ? "bar" : kind;
    var many = spec.series.length > 1;
    var datasets = spec.series.map(function (series, i) {
      var colour = palette[i % palette.length];
      var dataset = { label: series.label, data: series.values };
      if (kind === "doughnut") {
        dataset.backgroundColor = spec.labels.map(function (_, j) { return palette[j % palette.length]; });
      } else if (kind === "line") {
        dataset.borderColor = colour;
        dataset.backgroundColor = colour;
        dataset.spanGaps = false;
        dataset.tension = 0.15;
      } else {
        dataset.backgroundColor = colour;
        dataset.maxBarThickness = 42;
      }
      return dataset;
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: kind === "hbar" ? "y" : "x",
      plugins: {
        legend: { display: many || kind === "doughnut", position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var value = ctx.parsed && typeof ctx.parsed === "object"
                ? (kind === "hbar" ? ctx.parsed.x : ctx.parsed.y) : ctx.parsed;
              return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + format(value) +
                (spec.unit ? " " + spec.unit : "");
            }
          }
        }
      }
    };
    if (kind !== "doughnut") {
      var valueAxis = { beginAtZero: true, ticks: { callback: function (v) { return format(v); } } };
      options.scales = kind === "hbar" ? { x: valueAxis } : { y: valueAxis };
    }
    return { type: type, data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    try {
      var chart = new Chart(canvas, config(JSON.parse(source.textContent)));
      canvas.setAttribute("data-rendered", "true");
      canvas.chart = chart;
    } catch (error) {
      canvas.setAttribute("data-rendered", "error");
      throw error;
    }
  });
})();
