// accords' charts: each .chart-view draws the Vega or Vega-Lite specification in the JSON script
// its data-spec names, with the vendored vega-embed, as SVG.
(function () {
  "use strict";
  document.querySelectorAll(".chart-view").forEach((view) => {
    const spec = JSON.parse(document.getElementById(view.dataset.spec).textContent);
    vegaEmbed(view, spec, { renderer: "svg", actions: false })
      .then(() => { view.dataset.drawn = "yes"; })
      .catch((error) => {
        view.dataset.drawn = "failed";
        view.textContent = "This chart could not be drawn: " + error.message;
        console.error(error);
      });
  });
})();
