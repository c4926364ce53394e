// The dashboard: one WebSocket to /_sim/events (snapshot first, then numbered events), state in
// model.js, HTML from render.js. Events only mark sections dirty; the DOM is written at most once
// per animation frame (and no more than ~8 times a second), so 1,000 events/s stay cheap. A frame
// is asked for only when something is dirty (an idle page asks for none), a section whose HTML
// came out as it was is left alone, and one that changed has only its changed nodes written
// (morph.js): the browser's style, layout and paint of a rewritten section, not our script, was
// most of the page's CPU (bench/page.ts).
import { decodeEvent } from "./compact-events.js";
import { applyDetails, applyEvent, createModel, PAGE_SUBSCRIPTION } from "./model.js";
import { applySnapshot, applyViews } from "./state-views.js";
import { currentRowKey, selection } from "./invocation-rows.js";
import { clockControls, clockLabel, statusText } from "./header.js";
import { morph } from "./morph.js";
import { frameInterval, isBusy, lanesWait, redrawGap } from "./cadence.js";
import { clockTime, laneLegend, renderAsync, renderCost, renderFunctions, renderInvocations, renderSources, renderStory } from "./render.js";

const m = createModel();
const RENDER = { functions: renderFunctions, sources: renderSources, async: renderAsync, invocations: renderInvocations, story: renderStory, cost: renderCost };
const $ = (sel) => document.querySelector(sel);
const status = $("#status");
let eventsThisSecond = 0;
let rate = 0;
/** Over 1,000 events a second, until under 250 (cadence.js): the page redraws once a second meanwhile. */
let busy = false;
let lastRender = 0;
/** When the lanes (the functions section) were last drawn: while busy, every other redraw (cadence.js). */
let lanesAt = 0;
let framePending = false;
/** The intervalMs the page last subscribed with (frameInterval). */
let subscribedInterval = 0;
/** Chips a lane can show (measureChipRoom), and the narrowest chip, hidden, that measures them. */
let chipRoom;
const chipProbe = Object.assign(document.createElement("span"), { className: "chip cold", textContent: "cold 1.11 ms", ariaHidden: "true" });
chipProbe.style.cssText = "position: absolute; visibility: hidden; top: 0; left: 0";
document.body.append(chipProbe);
/** Each section's HTML as last written. */
const written = new Map();
let socket;

// --auth: the address `lambda-sim start --auth` prints ends in #token=… (a fragment: browsers never
// send it, so it stays out of server logs and Referer headers). The page keeps the token in this
// browser's storage for this origin, takes it out of the address bar, and sends it as a bearer
// (fetch) or as the WebSocket subprotocol `bearer.<token>` (a browser cannot set headers there).
const TOKEN_KEY = "lambda-sim.token";
const fromAddress = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromAddress) {
  localStorage.setItem(TOKEN_KEY, fromAddress);
  history.replaceState(null, "", location.pathname + location.search);
}
let token = localStorage.getItem(TOKEN_KEY) ?? undefined;

/** fetch() on the /_sim API with the token; a 401 asks the person for one. */
function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return fetch(path, { ...init, headers }).then((r) => {
    if (r.status === 401) askToken();
    return r;
  });
}

function askToken() {
  const form = $("#auth");
  if (!form.hidden) return;
  form.hidden = false;
  setStatus("needs its --auth token", true);
  form.onsubmit = (ev) => {
    ev.preventDefault();
    token = form.elements.token.value.trim() || undefined;
    if (token) localStorage.setItem(TOKEN_KEY, token);
    form.hidden = true;
    form.elements.token.value = "";
    socket?.close();
  };
}

/** How to read the compact events of this connection (its `compact` frame). */
let compactFields = [];

function connect() {
  let opened = false;
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/_sim/events`, token ? ["lambda-sim", `bearer.${token}`] : undefined);
  socket.onopen = () => {
    opened = true;
    socket.send(JSON.stringify(PAGE_SUBSCRIPTION));
    subscribedInterval = 0;
    // Live or a playback: the snapshot, next, says which (its `clock` view).
    setStatus("connected", false);
  };
  socket.onmessage = (msg) => {
    const frame = JSON.parse(msg.data);
    if (frame.kind === "snapshot") {
      if (applySnapshot(m, frame)) notice(`The simulator restarted (${clockTime(m.started.at)}): the counts, the cost and the lists start afresh with this start.`);
    }
    else if (frame.kind === "compact") compactFields = frame.fields;
    else if (frame.kind === "events") {
      for (const item of frame.events) {
        const e = decodeEvent(item, compactFields);
        applyEvent(m, e);
        // A summary stands for its invocations' finishes: the rate says what the simulator streams.
        eventsThisSecond += e.type === "invocations.summarized" ? e.environments.reduce((n, [, , , count]) => n + count, 0) : 1;
        if (e.type === "invocation.finished") {
          // The row the finish went to (an async event's attempt has its own): its log is complete now.
          const key = currentRowKey(m, e.requestId);
          // An event chosen in the async lists before it ran: its story follows the attempt that ran.
          if (m.selected === e.requestId && !m.invocations.has(m.selected)) m.selected = key;
          if (key === m.selected) loadDetails(key);
        }
      }
    } else if (frame.kind === "views") applyViews(m, frame);
    else if (frame.kind === "dropped") notice(`This page fell behind: ${frame.count} events were skipped and the view was reloaded from a fresh snapshot.`);
    askForFrame();
  };
  socket.onclose = () => {
    // Refused before it opened: with --auth and no token (or a stale one), a fetch gets the 401 and asks for it.
    if (!opened && !m.playback) api("/_sim/clock").catch(() => {});
    if ($("#auth").hidden) setStatus(m.playback ? "playback ended" : "disconnected — retrying…", true);
    setTimeout(connect, 1000);
  };
}

/**
 * The payload, result and log of one invocation, by its row's key (a trace's playback has them in
 * its events: no route there). An async event's attempt asks for that attempt's (`?attempt=N`):
 * its retries share the request id.
 */
function loadDetails(key) {
  const s = m.invocations.get(key);
  if (s === undefined) return;
  api(`/_sim/invocations/${encodeURIComponent(s.requestId)}${s.attempt === undefined ? "" : `?attempt=${s.attempt}`}`)
    .then((r) => (r.ok ? r.json() : undefined))
    .then((d) => {
      if (d === undefined) return;
      applyDetails(m, d);
      if (m.selected === key) m.dirty.add("story");
      askForFrame();
    })
    .catch(() => {});
}

function setStatus(text, down) {
  status.textContent = text;
  status.classList.toggle("down", down);
}

function notice(text) {
  const n = $("#notice");
  n.textContent = text;
  n.hidden = false;
  setTimeout(() => (n.hidden = true), 8000);
}

function frame(now) {
  framePending = false;
  if (m.dirty.size === 0) return;
  const wait = redrawGap(busy, rate) - (now - lastRender);
  if (wait > 0) {
    // Too soon since the last redraw: one frame when the gap is over, not one every 16 ms till then.
    framePending = true;
    setTimeout(() => requestAnimationFrame(frame), wait);
    return;
  }
  lastRender = now;
  // Busy: the lanes wait for every other redraw (they stay dirty till then).
  const lanesLater = m.dirty.has("functions") && lanesWait(busy, now - lanesAt);
  for (const section of m.dirty) {
    const body = RENDER[section] && document.querySelector(`#${section} .body`);
    if (!body || (lanesLater && section === "functions")) continue;
    const html = RENDER[section](m, { chips: chipRoom });
    if (written.get(section) === html) continue;
    written.set(section, html);
    morph(body, html);
  }
  const lanesDrawn = m.dirty.has("functions") && !lanesLater;
  if (lanesDrawn) {
    lanesAt = now;
    m.busyPeak.clear();
  }
  if (m.dirty.has("header")) drawClock();
  m.dirty.clear();
  if (lanesLater) {
    m.dirty.add("functions");
    askForFrame();
  }
  $("#time").textContent = clockTime(m.time);
  if (lanesDrawn) {
    // Drawn for another room than the lanes have now (every chip at first, a lane's wider state gone): drawn again for this one.
    const room = measureChipRoom();
    if (room !== undefined && room !== chipRoom) m.dirty.add("functions");
    chipRoom = room;
    askForFrame();
  }
}

/**
 * How many chips a lane can show: the lanes' chip column (one grid: every lane's is as wide) over
 * the narrowest chip a lane can have, one more for the chip cut off at its end; undefined (every
 * chip drawn) until a lane is there to measure. The narrowest, measured on a hidden one, is
 * `cold 1.11 ms`: a duration has three figures and a point at least, and 1 is the narrowest
 * figure in a font whose figures differ in width.
 */
function measureChipRoom() {
  const column = document.querySelector("#functions .chips");
  if (!column || column.clientWidth === 0) return undefined;
  const narrowest = chipProbe.offsetWidth + (parseFloat(getComputedStyle(column).columnGap) || 0);
  return narrowest > 0 ? Math.ceil(column.clientWidth / narrowest) + 1 : undefined;
}

/** Asks for a frame when a section is dirty (the frame waits out the gap since the last one). */
function askForFrame() {
  if (framePending || m.dirty.size === 0) return;
  framePending = true;
  requestAnimationFrame(frame);
}

/** How service time runs, and its buttons: advance on the virtual clock, pause or resume on a wall clock. */
function drawClock() {
  const label = clockLabel(m.clock);
  const el = $("#clock-mode");
  el.hidden = label === undefined;
  if (label) {
    el.textContent = label.text;
    el.title = label.title;
    el.classList.toggle("paused", label.paused);
  }
  const show = clockControls(m.clock);
  $("#clock-controls").hidden = !show.advance;
  $("#wall-controls").hidden = !(show.pause || show.resume);
  $('[data-clock="pause"]').hidden = !show.pause;
  $('[data-clock="resume"]').hidden = !show.resume;
  if (socket?.readyState === WebSocket.OPEN) setStatus(statusText(m.clock, rate), false);
}

// A wider window (or a smaller zoom) has room for more chips: every chip drawn, then measured again.
addEventListener("resize", () => {
  chipRoom = undefined;
  m.dirty.add("functions");
  askForFrame();
});

// Gauges (queue depths, lanes, retries waiting) are sampled once a second.
setInterval(() => {
  rate = eventsThisSecond;
  eventsThisSecond = 0;
  busy = isBusy(busy, rate, m.playback);
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ kind: "sample" }));
    setStatus(statusText(m.clock, rate), false);
    const interval = frameInterval(busy);
    if (interval !== subscribedInterval) {
      subscribedInterval = interval;
      socket.send(JSON.stringify({ ...PAGE_SUBSCRIPTION, intervalMs: interval }));
    }
  }
}, 1000);

// An invocation is chosen as the pointer goes down, not on click: the rows are redrawn as events
// stream in, and a row replaced between press and release would turn the click into one on the
// table (a busy run lost the click that way).
document.addEventListener("pointerdown", (ev) => {
  const row = ev.target.closest("[data-request-id]");
  if (!row || ev.button !== 0) return;
  // A row or chip names its invocation (data-key: an async event's attempt); the async lists name the request id: its latest attempt.
  m.selected = selection(m, row.dataset.requestId, row.dataset.key);
  m.dirty.add("story").add("invocations");
  askForFrame();
  loadDetails(m.selected);
});

document.addEventListener("click", (ev) => {
  const adv = ev.target.closest("[data-advance]");
  if (adv) {
    api("/_sim/clock/advance", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: Number(adv.dataset.advance) }) })
      .then((r) => (r.ok ? socket?.send(JSON.stringify({ kind: "sample" })) : r.text().then((t) => notice(`clock: ${t}`))));
    return;
  }
  const wall = ev.target.closest("[data-clock]");
  if (wall) {
    // The answer is GET /_sim/clock's: the header says it at once (clock.paused follows on the socket).
    api(`/_sim/clock/${wall.dataset.clock}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
      .then((r) => (r.ok ? r.json().then((c) => { m.clock = { clock: c.clock, scale: c.scale, paused: c.paused }; drawClock(); }) : r.text().then((t) => notice(`clock: ${t}`))))
      .catch(() => {});
  }
});

// The clock's kind comes with the snapshot (its `clock` view), so the page never asks /_sim/clock
// before it knows it watches a simulator: a trace's playback server has no such route.
$("#lane-legend").innerHTML = laneLegend();
connect();
askForFrame();
