// accords' schema page: the Mermaid erDiagram (written by python -m db.erd) drawn with the vendored Mermaid.
(function () {
  "use strict";
  const source = document.getElementById("schema-source").textContent;
  const target = document.getElementById("schema-diagram");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", er: { useMaxWidth: true } });
  mermaid.render("schema-svg", source)
    .then(({ svg }) => { target.innerHTML = svg; target.dataset.drawn = "yes"; })
    .catch((error) => { target.dataset.drawn = "failed"; target.textContent = String(error); console.error(error); });
})();
