// accords' source reader: choosing a marked span shows the facts it supports (and those of the
// spans it lies within), each linked to its row; #ev-ID in the address opens that evidence row's span.
// Everything shown is built with DOM calls and textContent: no source text is parsed as HTML.
(function () {
  "use strict";
  const text = document.getElementById("source-text");
  const list = document.getElementById("facts-list");
  const hint = document.getElementById("facts-hint");
  if (!text || !list) { return; }
  // a row's page is ROWS/TABLE/ID (Datasette's), another source's reader SOURCES/SLUG
  const rowUrl = (table, id) => text.dataset.rows + "/" + table + "/" + id;
  const sourceUrl = (slug, evidence) => text.dataset.sources + "/" + encodeURIComponent(slug) + "#ev-" + evidence;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") { node.textContent = v; } else { node.setAttribute(k, v); }
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  function facts(span) {
    const first = document.getElementById("span-" + span);
    return first ? JSON.parse(first.dataset.facts) : [];
  }

  function claimItem(claim) {
    const item = el("li", { class: "claim" + (claim.disputed ? " claim-disputed" : "") }, [
      el("a", { href: rowUrl("claims", claim.id), text: claim.field }), " = ", el("q", { text: claim.value === null ? "" : claim.value }),
      " (" + claim.support + " source" + (claim.support === 1 ? "" : "s") + (claim.in_record ? ", in the record" : "") + ")",
    ]);
    if (claim.disputed) {
      item.appendChild(el("span", { class: "disputed-flag", text: " ⚠ disputed" }));
      const others = el("ul", { class: "other-sides" });
      claim.others.forEach((o) => others.appendChild(el("li", {}, [
        el("a", { class: "other-side", href: sourceUrl(o.source, o.evidence), text: o.source }), " says ",
        el("q", { text: o.value === null ? "" : o.value }), o.in_record ? " (in the record)" : "",
      ])));
      item.appendChild(others);
    }
    return item;
  }

  function factItem(fact) {
    const item = el("li", {
      class: "fact fact-" + fact.kind, "data-kind": fact.kind, "data-table": fact.table,
      "data-id": String(fact.id), "data-evidence": String(fact.evidence),
    }, [
      el("span", { class: "fact-kind", text: fact.kind }), " ",
      el("a", { class: "fact-link", href: rowUrl(fact.table, fact.id), text: fact.label || fact.slug || fact.table + " " + fact.id }),
      fact.slug ? el("code", { text: " " + fact.slug }) : "",
      " · ", el("a", { class: "evidence-link", href: rowUrl("evidence", fact.evidence), text: "evidence " + fact.evidence }),
    ]);
    if (fact.claims.length) {
      const claims = el("ul", { class: "claims" });
      fact.claims.forEach((c) => claims.appendChild(claimItem(c)));
      item.appendChild(claims);
    }
    return item;
  }

  function choose(mark) {
    document.querySelectorAll("mark.chosen").forEach((m) => m.classList.remove("chosen"));
    const spans = [];
    for (let m = mark; m && m !== text; m = m.parentElement) {
      if (m.matches("mark.ev") && !spans.includes(m.dataset.span)) { spans.push(m.dataset.span); }
    }
    list.replaceChildren();
    spans.forEach((span, i) => {
      document.querySelectorAll('mark[data-span="' + span + '"]').forEach((m) => m.classList.add("chosen"));
      const first = document.getElementById("span-" + span);
      const group = el("section", { class: "span-facts", "data-span": span }, [
        el("h3", { text: i === 0 ? "This span" : "Within a longer span" }),
        el("blockquote", { text: Array.from(document.querySelectorAll('mark[data-span="' + span + '"]'))
          .map((m) => m.textContent).join("") }),
      ]);
      const ul = el("ul", { class: "facts" });
      facts(span).forEach((f) => ul.appendChild(factItem(f)));
      group.appendChild(ul);
      list.appendChild(group);
      if (first && i === 0) { first.setAttribute("aria-describedby", "facts-panel"); }
    });
    if (hint) { hint.hidden = spans.length > 0; }
  }

  text.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.ev");
    if (mark) { choose(mark); }
  });
  text.addEventListener("keydown", (event) => {
    if ((event.key === "Enter" || event.key === " ") && event.target.matches("mark.ev")) {
      event.preventDefault();
      choose(event.target);
    }
  });

  function openHash() {
    const m = /^#ev-(\d+)$/.exec(window.location.hash);
    if (!m) { return; }
    const wanted = Number(m[1]);
    const found = Array.from(text.querySelectorAll("mark[data-facts]"))
      .find((mark) => JSON.parse(mark.dataset.facts).some((f) => f.evidence === wanted));
    if (found) { found.scrollIntoView({ block: "center" }); choose(found); }
  }
  window.addEventListener("hashchange", openHash);
  openHash();
})();
