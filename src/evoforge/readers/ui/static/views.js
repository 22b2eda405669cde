// The dashboard's views. Every string from a run file enters the page as a text node (el() below):
// nothing here parses data as HTML, so a genome or a reason cannot become markup or script.
"use strict";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") node.addEventListener("click", v);
    else if (k === "style") node.style.cssText = v; // CSSOM, not markup: allowed by the page's CSP
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function fmt(v, digits = 6) {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(digits).replace(/\.?0+$/, "");
  return String(v);
}

function table(columns, rows, opts = {}) {
  const head = el("tr", {}, columns.map(c => el("th", { class: c.num ? "num" : "" }, c.label)));
  const body = rows.map(r => el("tr", { class: opts.rowClass ? opts.rowClass(r) : "" },
    columns.map(c => el("td", { class: c.num ? "num" : "" }, c.cell ? c.cell(r) : fmt(r[c.key])))));
  return el("table", opts.id ? { id: opts.id } : {}, head, body);
}

function colorOf(names) {
  const map = {};
  names.forEach((n, i) => { map[n] = PALETTE[i % PALETTE.length]; });
  return map;
}

const Views = {
  runs(body, runs, current, open) {
    if (!runs.length) return body.appendChild(el("p", { class: "muted" }, "no run files here yet"));
    body.appendChild(table([
      { label: "run", cell: r => el("button", { class: "link", onclick: () => open(r.name) }, r.name) },
      { label: "recipe", key: "recipe" }, { label: "task", key: "task" }, { label: "status", key: "status" },
      { label: "evaluations", key: "evaluations", num: true }, { label: "best", key: "best", num: true },
      { label: "error", key: "error" },
    ], runs, { id: "runs-table", rowClass: r => (r.name === current ? "current" : "") }));
  },

  summary(body, d) {
    const s = d.summary;
    const rows = [
      ["recipe", s.recipe], ["task", s.task], ["seed", fmt(s.seed)], ["status", s.status],
      ["stop reason", s.stop_reason || "-"], ["evaluations", fmt(s.evaluations)], ["batches", fmt(s.batches)],
      ["ok / failed / rejected", `${s.ok} / ${s.failed} / ${s.rejected}`],
      ["discarded before evaluation", s.discarded_reasons.length
        ? `${s.discarded}: ${s.discarded_reasons.map(r => `${r.reason} ×${r.count}`).join("; ")}` : fmt(s.discarded)],
      ["elapsed", `${fmt(s.elapsed, 3)} s`],
      ["seed score", s.seed_failed ? `failed: ${s.seed_failed}` : fmt(s.seed_score)],
      ["best", s.best ? `${fmt(s.best.score)} (candidate ${s.best.id}, ${s.best.operator})` : "none yet"],
    ];
    body.appendChild(el("table", { id: "summary-table" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))));
    const config = Object.entries(s.config).filter(([k]) => !["recipe", "task", "seed"].includes(k));
    body.appendChild(el("details", {}, el("summary", {}, "configuration"),
      el("table", {}, config.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))))));
  },

  score(body, d) {
    const s = d.series;
    if (!s.evaluations.length) return body.appendChild(el("p", { class: "muted" }, "no committed batch yet"));
    const ops = Object.keys(s.operators);
    const colors = colorOf(ops);
    const series = [{ label: "evaluations" },
      { label: "best so far", stroke: "#111", width: 2 }, { label: "batch median", stroke: "#999", width: 1 },
      ...ops.map(op => ({ label: `best by ${op}`, stroke: colors[op], width: 1, dash: [4, 3] }))];
    const data = [s.evaluations, s.best, s.median, ...ops.map(op => s.operators[op])];
    const holder = el("div", { id: "score-chart" });
    body.appendChild(holder);
    const width = Math.max(400, Math.min(1100, (body.clientWidth || 900) - 10));
    new uPlot({ width, height: 300, series, scales: { x: { time: false } },
      axes: [{ label: "evaluations" }, { label: "score (higher is better)", size: 70 }] }, data, holder);
  },

  operators(body, d) {
    const called = d.operators.some(r => r.model_calls !== undefined) ? [
      { label: "by a model call", key: "model_calls", num: true }, { label: "no model call", key: "no_model", num: true },
    ] : [];
    body.appendChild(table([
      { label: "operator", key: "operator" }, { label: "ok", key: "ok", num: true },
      { label: "failed", key: "failed", num: true }, { label: "rejected", key: "rejected", num: true },
      { label: "best", key: "best", num: true }, { label: "mean", key: "mean", num: true }, ...called,
    ], d.operators, { id: "operators-table" }));
  },

  usage(body, d) {
    if (!d.usage) return false;
    const cols = [{ label: "operator", key: "operator" }, { label: "calls", key: "calls", num: true },
      { label: "prompt tokens", key: "prompt_tokens", num: true },
      { label: "completion tokens", key: "completion_tokens", num: true },
      { label: "cache hits", key: "cache_hits", num: true }, { label: "cost", key: "cost", num: true }];
    body.appendChild(table(cols, [...d.usage.rows, d.usage.total], { id: "usage-table" }));
  },

  grouped(body, groups, kind, select) {
    if (!groups.length) return false;
    body.appendChild(table([
      { label: "count", key: "count", num: true }, { label: "reason", key: "reason" },
      { label: "operators", cell: g => Object.entries(g.operators).map(([k, v]) => `${k} ×${v}`).join(", ") },
      { label: "examples", cell: g => g.ids.slice(0, 8).map(id => el("button", { class: "link", onclick: () => select(id) }, `#${id}`)) },
    ], groups, { id: `${kind}-table` }));
  },

  events(body, d) {
    if (!d.events.length) return false;
    body.appendChild(table([{ label: "batch", key: "batch", num: true }, { label: "kind", key: "kind" },
      { label: "data", key: "data" }], d.events, { id: "events-table" }));
  },

  report(body, d) {
    if (!d.report) return false;
    body.appendChild(el("pre", { id: "recipe-report" }, d.report));
  },

  monitors(body, d) {
    const m = d.monitors;
    if (!m) return false;
    const numeric = m.columns.filter(c => c !== "operator" && c !== "round");
    const rows = m.rows.filter(r => r.round !== null);
    if (rows.length > 1) {  // one small chart per metric: each on its own y-axis
      const grid = el("div", { id: "monitors-chart", class: "small-multiples" });
      body.appendChild(grid);
      const colors = colorOf(numeric);
      for (const c of numeric) {
        const values = rows.map(r => (r[c] === undefined ? null : r[c]));
        if (values.every(v => v === null)) continue;
        const holder = el("div", { class: "monitor-chart", "data-metric": c });
        grid.appendChild(holder);
        new uPlot({ width: 300, height: 170, scales: { x: { time: false } }, legend: { show: true },
          axes: [{ label: "round", size: 30 }, { size: 50 }],
          series: [{ label: "round" }, { label: c, stroke: colors[c], width: 2, points: { show: true } }] },
        [rows.map(r => r.round), values], holder);
      }
    }
    body.appendChild(table(m.columns.map(c => ({ label: c, key: c, num: c !== "operator" })), m.rows, { id: "monitors-table" }));
  },
};

// How one candidate was made (the candidate panel): model called or not, the request and the raw answer.
Views.modelCall = function (holder, call) {
  if (!call) return;
  if (!call.model_called) return holder.append(el("div", { class: "meta" }, "model called: no (made without a model call)"));
  holder.append(el("div", { class: "meta" }, `model called: yes · ${call.messages.length} messages`));
  for (const m of call.messages) holder.append(el("div", { class: "meta" }, m.role), el("pre", { class: "cand-message" }, m.content));
  holder.append(el("div", { class: "meta" }, "answer"), el("pre", { id: "cand-answer" }, call.answer));
};
