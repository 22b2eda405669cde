// The lineage graph (SVG), one candidate's genome and diff, and the archive heat map (canvas).
// Strings from the run file go in as text nodes only (el, and SVG <title> via textContent).
"use strict";

const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i].map((v, k) => Math.round(v + f * (VIRIDIS[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function bestChain(d) {
  const byId = new Map(d.tree.nodes.map(n => [n.id, n]));
  const chain = [];
  let node = d.summary.best ? byId.get(d.summary.best.id) : null;
  while (node && chain.length < 500) {
    chain.push(node.id);
    node = node.p.length ? byId.get(node.p[0]) : null;
  }
  return chain;
}

Views.lineage = function (body, d, selected, select) {
  const nodes = d.tree.nodes;
  if (!nodes.length) return false;
  const W = 720, H = 380, pad = 28;
  const scored = nodes.filter(n => n.s !== null).map(n => n.s);
  const smin = scored.length ? Math.min(...scored) : 0, smax = scored.length ? Math.max(...scored) : 1;
  const bmin = Math.min(...nodes.map(n => n.b)), bmax = Math.max(...nodes.map(n => n.b));
  const x = n => pad + ((n.b - bmin) / (bmax - bmin || 1)) * (W - 2 * pad) + (((n.id * 37) % 11) - 5) * 0.9;
  const y = n => (n.s === null ? H - 10 : pad + (1 - (n.s - smin) / (smax - smin || 1)) * (H - 2 * pad - 20));
  const pos = new Map(nodes.map(n => [n.id, [x(n), y(n)]]));
  const chain = bestChain(d);
  const onChain = new Set(chain);
  const ops = [...new Set(nodes.map(n => n.op))];
  const colors = colorOf(ops);
  const root = svg("svg", { width: W, height: H, id: "lineage-svg", viewBox: `0 0 ${W} ${H}` });
  for (const n of nodes) {
    for (const p of n.p) {
      const [x1, y1] = pos.get(p), [x2, y2] = pos.get(n.id);
      const hot = onChain.has(p) && onChain.has(n.id);
      root.appendChild(svg("line", { x1, y1, x2, y2, stroke: hot ? "#d62728" : "#c8ced3", "stroke-width": hot ? 2 : 0.7 }));
    }
  }
  for (const n of nodes) {
    const [cx, cy] = pos.get(n.id);
    const failed = n.st !== "ok";
    const circle = svg("circle", {
      cx, cy, r: n.id === selected ? 6 : onChain.has(n.id) ? 4.5 : 3.2,
      fill: failed ? "#fff" : colors[n.op], stroke: n.id === selected ? "#000" : failed ? "#d62728" : "none",
      "stroke-width": 1.5, "data-id": n.id,
    });
    const title = svg("title");
    title.textContent = `#${n.id} ${n.op} batch ${n.b}: ${n.s === null ? n.st : fmt(n.s)}`;
    circle.appendChild(title);
    circle.addEventListener("click", () => select(n.id));
    root.appendChild(circle);
  }
  const axis = svg("text", { x: pad, y: 14, "font-size": 11, fill: "#666" });
  axis.textContent = `score ↑ · batch → · failed at the bottom · red: lineage of the best`;
  root.appendChild(axis);
  const left = el("div", {}, root,
    el("div", { class: "muted" }, ops.map(op => el("span", {}, el("span", { class: "legend-dot", style: `background:${colors[op]}` }), `${op}  `))),
    el("div", { class: "muted" }, `${nodes.length} of ${d.tree.total} evaluated candidates shown`),
    el("div", { id: "lineage-chain" }, "best's lineage: ",
      chain.map(id => el("button", { class: "link", onclick: () => select(id) }, `#${id}`))));
  body.appendChild(el("div", { class: "lineage" }, left, el("div", { class: "detail", id: "candidate-detail" })));
};

Views.candidate = function (holder, c, select) {
  holder.replaceChildren();
  if (!c) return holder.appendChild(el("p", { class: "muted" }, "select a candidate"));
  if (c.error) return holder.appendChild(el("p", {}, `#${c.id}: ${c.error}`));
  const link = id => el("button", { class: "link", onclick: () => select(id) }, `#${id}`);
  holder.append(
    el("div", { class: "meta" }, el("strong", {}, `candidate #${c.id}`), ` · ${c.operator} · ${c.status} · score ${fmt(c.score)}`,
      c.generation !== null ? ` · batch ${c.generation}` : ""),
    el("div", { class: "meta" }, "parents: ", c.parents.length ? c.parents.map(link) : "none",
      " · children: ", c.children.length ? c.children.map(link) : "none"));
  for (const [label, value] of [["reason", c.reason], ["feedback", c.feedback], ["metrics", c.metrics],
    ["descriptors", c.descriptors], ["info", c.info]]) {
    if (value) holder.append(el("div", { class: "meta" }, `${label}: `), el("pre", { class: `cand-${label}` }, value));
  }
  Views.modelCall(holder, c.call);
  holder.append(el("div", { class: "meta" }, "genome"), el("pre", { id: "genome" }, c.genome));
  if (c.diff) {
    const lines = c.diff.map(line => el("span", {
      class: line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "" }, line, "\n"));
    holder.append(el("div", { class: "meta" }, `diff against parent #${c.parent}`),
      el("pre", { id: "diff" }, c.diff.length ? lines : "(identical to the parent)"));
  }
};

Views.archive = function (body, d, select) {
  const a = d.archive;
  if (!a || !a.heatmap.length || !a.heatmap[0].length) return false;
  const nx = a.heatmap.length, ny = a.heatmap[0].length;
  const cell = Math.max(2, Math.floor(360 / Math.max(nx, ny)));
  const values = a.heatmap.flat().filter(v => v !== null);
  const lo = values.length ? Math.min(...values) : 0, hi = values.length ? Math.max(...values) : 1;
  const canvas = el("canvas", { id: "heat-canvas", width: nx * cell, height: ny * cell });
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f0f0f0";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  a.heatmap.forEach((col, i) => col.forEach((v, j) => {
    if (v === null) return;
    ctx.fillStyle = viridis((v - lo) / (hi - lo || 1));
    ctx.fillRect(i * cell, (ny - 1 - j) * cell, cell, cell);
  }));
  const hover = el("div", { class: "muted", id: "heat-hover" }, "hover a cell");
  canvas.addEventListener("mousemove", ev => {
    const i = Math.floor(ev.offsetX / cell), j = ny - 1 - Math.floor(ev.offsetY / cell);
    const v = (a.heatmap[i] || [])[j];
    const at = (k, n, t) => a.low[k] + ((a.high[k] - a.low[k]) * t) / n;
    hover.textContent = `${a.axes[0]} ${fmt(at(0, nx, i), 3)}…${fmt(at(0, nx, i + 1), 3)}, ` +
      `${a.axes[1]} ${fmt(at(1, ny, j), 3)}…${fmt(at(1, ny, j + 1), 3)}: ${v === null || v === undefined ? "empty" : fmt(v)}` +
      (elite(ev) !== null && elite(ev) !== undefined ? ` · elite #${elite(ev)} (click to open)` : "");
  });
  const elite = ev => {
    const i = Math.floor(ev.offsetX / cell), j = ny - 1 - Math.floor(ev.offsetY / cell);
    return a.ids && a.ids[i] ? a.ids[i][j] : null;
  };
  if (a.ids && select) {
    canvas.classList.add("clickable");
    canvas.addEventListener("click", ev => { const id = elite(ev); if (id !== null && id !== undefined) select(id); });
  }
  const bar = el("canvas", { width: 14, height: ny * cell });
  const bctx = bar.getContext("2d");
  for (let k = 0; k < bar.height; k++) {
    bctx.fillStyle = viridis(1 - k / bar.height);
    bctx.fillRect(0, k, 14, 1);
  }
  const yLabel = el("div", { class: "axis-label", id: "heat-y", style: "writing-mode: vertical-rl; transform: rotate(180deg)" }, a.axes[1]);
  body.append(
    el("div", { class: "muted", id: "heat-caption" }, `${fmt(a.elites)} elites, coverage ${fmt((a.coverage || 0) * 100, 3)}%`),
    el("div", { class: "heat" },
      el("div", { class: "axis-label" }, fmt(a.high[1], 3)), yLabel,
      el("div", {}, canvas,
        el("div", { class: "axis-label", style: "display:flex; justify-content:space-between" },
          el("span", {}, fmt(a.low[0], 3)), el("span", { id: "heat-x" }, a.axes[0]), el("span", {}, fmt(a.high[0], 3)))),
      el("div", {}, el("div", { class: "axis-label" }, `${fmt(hi, 4)}`), bar, el("div", { class: "axis-label" }, `${fmt(lo, 4)} score`))),
    hover);
  if (a.qd && a.qd.evaluations.length > 1) qdChart(body, a.qd);
};

function qdChart(body, qd) {
  // coverage (left axis, % of cells) and QD score (right axis) after each batch
  const holder = el("div", { id: "qd-chart" });
  body.append(el("h3", {}, "archive over time"), holder, el("div", { class: "muted" },
    `QD score: the sum over filled cells of elite score − ${fmt(qd.offset, 4)} ` +
    "(0, or the lowest score that entered the archive, so that filling a cell never lowers it)"));
  const width = Math.max(400, Math.min(900, (body.clientWidth || 900) - 10));
  new uPlot({ width, height: 220, scales: { x: { time: false }, cov: {}, qd: {} },
    series: [{ label: "evaluations" },
      { label: "coverage %", stroke: "#2ca02c", width: 2, scale: "cov" },
      { label: "QD score", stroke: "#9467bd", width: 2, scale: "qd" }],
    axes: [{ label: "evaluations" }, { scale: "cov", label: "coverage (% of cells)", size: 60 },
      { scale: "qd", side: 1, label: "QD score", size: 70, grid: { show: false } }] },
  [qd.evaluations, qd.coverage.map(c => (c === null ? null : c * 100)), qd.qd_score], holder);
}
