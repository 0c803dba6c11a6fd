// accords' schema page: the Mermaid erDiagram (written by python -m db.erd) drawn with the vendored Mermaid.
(function () {
  "use strict";
  const source = document.getElementById("schema-source").textContent;
  const target = document.getElementById("schema-diagram");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", er: { useMaxWidth: true } });
  mermaid.render("schema-svg", source)
    .then(({ svg }) => {
      target.innerHTML = svg;
      target.querySelector("svg").dataset.fittedMaxWidth = target.querySelector("svg").style.maxWidth;
      target.dataset.drawn = "yes";
    })
    .catch((error) => { target.dataset.drawn = "failed"; target.textContent = String(error); console.error(error); });
  // fitted to the page's width by default; "actual size" draws it at Mermaid's own size, to scroll around
  document.getElementById("schema-actual-size").addEventListener("change", (event) => {
    const drawn = target.querySelector("svg");
    if (!drawn) { return; }
    const actual = event.target.checked;
    target.classList.toggle("actual-size", actual);
    drawn.style.width = actual ? drawn.viewBox.baseVal.width + "px" : "";
    drawn.style.maxWidth = actual ? "none" : drawn.dataset.fittedMaxWidth;
  });
})();
