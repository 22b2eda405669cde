// Loads a run (from the local server's JSON API, or from the data a report carries inline), draws every
// view, and on the dashboard polls for new commits so the page follows a run while it is written.
"use strict";

const embedded = document.getElementById("evoforge-data");
const REPORT = embedded ? JSON.parse(embedded.textContent) : null;
const params = new URLSearchParams(location.search);
const POLL_MS = Math.max(200, Number(params.get("poll")) || 2000);
const COMPARE_MS = 10000;

const state = { runs: [], name: null, data: null, selected: null, compare: null, compared: "", comparedNames: "", comparedAt: 0 };

const source = REPORT
  ? {
      runs: async () => REPORT.runs,
      run: async () => REPORT.run,
      candidate: async (_, id) => REPORT.candidates[String(id)] || { id, error: "not included in this report" },
    }
  : {
      runs: () => getJSON("api/runs"),
      run: (name, stamp) => getJSON(`api/run?run=${encodeURIComponent(name)}&stamp=${encodeURIComponent(stamp || "")}`),
      candidate: (name, id) => getJSON(`api/candidate?run=${encodeURIComponent(name)}&id=${id}`),
      compare: () => getJSON("api/compare"),
    };

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function section(id) {
  const node = document.getElementById(`view-${id}`);
  const body = node.querySelector(".body");
  body.replaceChildren();
  return { node, body };
}

function draw(id, fn) {
  const { node, body } = section(id);
  let shown;
  try {
    shown = fn(body) !== false;
  } catch (err) {
    body.replaceChildren(el("p", { class: "muted" }, `cannot draw this view: ${err.message}`));
    shown = true;
  }
  node.classList.toggle("empty", !shown);
}

function drawRuns() {
  draw("runs", body => {
    if (REPORT || state.runs.length < 2) return false;
    Views.runs(body, state.runs, state.name, openRun);
  });
}

async function refreshCompare() {
  if (REPORT || state.runs.length < 2) return draw("compare", () => false);
  const key = JSON.stringify(state.runs), names = state.runs.map(r => r.name).join("\n");
  // a new or removed run redraws at once; runs that are being written at most every 10 s
  if (key === state.compared || (names === state.comparedNames && Date.now() - state.comparedAt < COMPARE_MS)) return;
  state.compare = await source.compare();
  Object.assign(state, { compared: key, comparedNames: names, comparedAt: Date.now() });
  draw("compare", b => Views.compare(b, state.compare, openRun));
  drawNav();
}

function drawRun() {
  const d = state.data;
  document.getElementById("run-title").textContent = `${d.name} · ${d.summary.recipe} on ${d.summary.task} · ${d.summary.status}`;
  document.title = `evoforge · ${d.name}`;
  document.body.dataset.stamp = d.stamp;
  draw("summary", b => Views.summary(b, d));
  draw("score", b => Views.score(b, d));
  draw("operators", b => Views.operators(b, d));
  draw("lineage", b => Views.lineage(b, d, state.selected, select));
  draw("improvements", b => Views.improvements(b, d, select));
  draw("candidates", b => Views.candidates(b, d, select));
  draw("archive", b => Views.archive(b, d, select));
  draw("usage", b => Views.usage(b, d));
  draw("failures", b => Views.grouped(b, d.failures, "failures", select));
  draw("rejected", b => Views.grouped(b, d.rejected, "rejected", select));
  draw("events", b => Views.events(b, d));
  draw("monitors", b => Views.monitors(b, d));
  draw("report", b => Views.report(b, d));
  drawNav();
  if (state.selected !== null) showCandidate(state.selected);
}

function drawNav() {
  const nav = document.getElementById("nav");
  nav.replaceChildren(...[...document.querySelectorAll("main section:not(.empty)")].map(s =>
    el("a", { href: `#${s.id}` }, s.querySelector("h2").textContent)));
}

async function showCandidate(id) {
  const holder = document.getElementById("candidate-detail");
  if (!holder) return;
  try {
    Views.candidate(holder, await source.candidate(state.name, id), select);
  } catch (err) {
    holder.replaceChildren(el("p", { class: "muted" }, `candidate #${id}: ${err.message}`));
  }
}

function select(id) {
  state.selected = id;
  draw("lineage", b => Views.lineage(b, state.data, state.selected, select));
  showCandidate(id);
  document.getElementById("view-lineage").scrollIntoView({ block: "nearest" });
}

async function openRun(name) {
  state.name = name;
  state.data = null;
  state.selected = null;
  drawRuns();
  await refresh();
}

async function refresh() {
  if (!state.name) return;
  const d = await source.run(state.name, state.data ? state.data.stamp : "");
  if (d.unchanged) return;
  if (state.selected === null && d.summary.best) state.selected = d.summary.best.id;
  state.data = d;
  drawRun();
}

function live(text) {
  document.getElementById("live").textContent = text;
}

async function poll() {
  try {
    state.runs = await source.runs();
    drawRuns();
    await refreshCompare();
    await refresh();
    live(REPORT ? `report written ${REPORT.written}` : `live · checked ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    live(`cannot read the run: ${err.message}`);
  }
  if (!REPORT) setTimeout(poll, POLL_MS);
}

async function start() {
  try {
    state.runs = await source.runs();
  } catch (err) {
    return live(`cannot list runs: ${err.message}`);
  }
  const wanted = params.get("run") || (REPORT ? REPORT.run.name : null);
  const first = state.runs.find(r => r.name === wanted) || state.runs.find(r => !r.error) || null;
  if (first) state.name = first.name;
  drawRuns();
  await poll();
}

start();
