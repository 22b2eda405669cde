// The candidates table (sort by a column, filter by status and operator, search the genome text; a click
// opens the candidate) and the improvements table (each new best). Text enters as text nodes only.
"use strict";

const SHOWN_ROWS = 200;
const candView = { sort: "s", desc: true, status: "", operator: "", query: "", typing: false };

function sortValue(r, key) {
  return key.startsWith("m:") ? r.m[key.slice(2)] : r[key];
}

function candidateRows(rows) {
  const q = candView.query.toLowerCase();
  const kept = rows.filter(r => (!candView.status || r.st === candView.status) &&
    (!candView.operator || r.op === candView.operator) && (!q || r.g.toLowerCase().includes(q)));
  const dir = candView.desc ? -1 : 1;
  return kept.sort((a, b) => {
    const x = sortValue(a, candView.sort), y = sortValue(b, candView.sort);
    if (x === y) return a.id - b.id;
    if (x === null || x === undefined) return 1; // missing values last, whichever the direction
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  });
}

function snippet(genome) {
  // about 90 characters of the genome's text, around the searched text where there is a search
  const at = candView.query ? genome.toLowerCase().indexOf(candView.query.toLowerCase()) : -1;
  const start = at > 40 ? at - 30 : 0;
  const cut = genome.slice(start, start + 90).replace(/\s+/g, " ");
  return `${start ? "…" : ""}${cut}${start + 90 < genome.length ? "…" : ""}`;
}

function choice(id, label, values, key, redraw) {
  const select = el("select", { id }, el("option", { value: "" }, `any ${label}`), values.map(v => el("option", { value: v }, v)));
  select.value = candView[key];
  select.addEventListener("change", () => { candView[key] = select.value; redraw(); });
  return select;
}

Views.candidates = function (body, d, select) {
  const c = d.candidates;
  if (!c || !c.rows.length) return false;
  const columns = [["id", "id"], ["b", "batch"], ["op", "operator"], ["st", "status"], ["s", "score"],
    ...c.metrics.map(m => [`m:${m}`, m]), ["g", "genome"]];
  const holder = el("div", {});
  const redraw = () => {
    const rows = candidateRows(c.rows);
    const head = el("tr", {}, columns.map(([key, label]) => el("th", { class: key === "g" || key === "op" || key === "st" ? "" : "num" },
      el("button", { class: "link sort", "data-key": key, onclick: () => {
        candView.desc = candView.sort === key ? !candView.desc : key !== "id" && key !== "b";
        candView.sort = key;
        redraw();
      } }, label + (candView.sort === key ? (candView.desc ? " ▼" : " ▲") : "")))));
    const cell = (r, key) => {
      if (key === "id") return el("button", { class: "link", onclick: () => select(r.id) }, `#${r.id}`);
      if (key === "g") return el("code", {}, snippet(r.g));
      return fmt(sortValue(r, key));
    };
    const lines = rows.slice(0, SHOWN_ROWS).map(r => el("tr", { "data-id": r.id, class: `status-${r.st}` },
      columns.map(([key]) => el("td", { class: key === "g" || key === "op" || key === "st" ? "" : "num" }, cell(r, key)))));
    holder.replaceChildren(
      el("div", { class: "muted", id: "cand-count" }, `${rows.length} matching of ${c.rows.length} listed` +
        (c.total > c.rows.length ? ` (${c.total} in the run: the best and the newest are listed)` : "") +
        (rows.length > SHOWN_ROWS ? `; first ${SHOWN_ROWS} shown` : "")),
      el("table", { id: "candidates-table" }, head, lines));
  };
  const search = el("input", { id: "cand-search", type: "search", placeholder: "search genome text", value: candView.query });
  search.addEventListener("input", () => { candView.query = search.value; redraw(); });
  search.addEventListener("focus", () => { candView.typing = true; });
  search.addEventListener("blur", () => { if (search.isConnected) candView.typing = false; }); // not on a redraw
  body.append(el("div", { class: "controls" }, search,
    choice("cand-status", "status", [...new Set(c.rows.map(r => r.st))].sort(), "status", redraw),
    choice("cand-operator", "operator", [...new Set(c.rows.map(r => r.op))].sort(), "operator", redraw)), holder);
  redraw();
  if (candView.typing) search.focus(); // a live run redrew the table while one typed
};

Views.improvements = function (body, d, select) {
  if (!d.improvements || !d.improvements.length) return false;
  const link = id => (id === null || id === undefined ? "-" : el("button", { class: "link", onclick: () => select(id) }, `#${id}`));
  body.appendChild(table([
    { label: "candidate", cell: r => link(r.id) }, { label: "batch", key: "batch", num: true },
    { label: "evaluations", key: "evaluations", num: true }, { label: "seconds", cell: r => fmt(r.elapsed, 3), num: true },
    { label: "operator", key: "operator" }, { label: "parent", cell: r => link(r.parent) },
    { label: "parent score", key: "parent_score", num: true }, { label: "score", key: "score", num: true },
    { label: "gain", cell: r => (r.gain === null ? "first" : `+${fmt(r.gain, 4)}`), num: true },
  ], d.improvements, { id: "improvements-table" }));
};
