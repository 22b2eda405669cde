// The compare view: the folder's runs in groups (same configuration but for the seed), the keys that
// tell the groups apart, and per task one chart of each group's median best-so-far with its min-max band.
"use strict";

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

Views.compare = function (body, c, open) {
  if (!c || c.groups.length < 2) return false;
  body.appendChild(el("p", { id: "compare-keys" }, c.differ.length
    ? `groups differ in: ${c.differ.join(", ")}` : "one configuration: all runs are seeds of one group"));
  body.appendChild(table([
    { label: "group", key: "name" }, { label: "runs", key: "n", num: true },
    { label: "median best", key: "median", num: true }, { label: "min best", key: "min", num: true },
    { label: "max best", key: "max", num: true },
    { label: "run files", cell: g => g.runs.map(name => el("button", { class: "link", onclick: () => open(name) }, name)) },
  ], c.groups, { id: "compare-table" }));
  const colors = colorOf(c.groups.map(g => g.name));
  for (const [task, t] of Object.entries(c.tasks)) {
    if (!t.x.length) continue;
    const holder = el("div", { class: "compare-chart", "data-task": task });
    body.append(el("h3", {}, task), holder);
    const series = [{ label: "evaluations" }], data = [t.x], bands = [];
    for (const g of t.groups) {
      const at = series.length;
      series.push({ label: `${g.name} (${g.n} runs): median`, stroke: colors[g.name], width: 2 },
        { label: "max", stroke: alpha(colors[g.name], 0.35), width: 0.5 },
        { label: "min", stroke: alpha(colors[g.name], 0.35), width: 0.5 });
      data.push(g.median, g.high, g.low);
      if (g.n > 1) bands.push({ series: [at + 1, at + 2], fill: alpha(colors[g.name], 0.15) });
    }
    const width = Math.max(400, Math.min(1100, (body.clientWidth || 900) - 10));
    new uPlot({ width, height: 280, series, bands, scales: { x: { time: false } },
      axes: [{ label: "evaluations" }, { label: "best so far: median, band min-max", size: 70 }] }, data, holder);
    holder.dataset.bands = String(bands.length);
  }
};
