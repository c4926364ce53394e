// The header's words: how service time runs (the `clock` view: core's clock-mode.ts, or the
// playback server's) and what the page is watching. A room must tell a paused clock from an idle
// simulator, ×10 from real time, and a recording from the running simulator (newuser7 F9, F10).

/** `×10`, `×0.5`: a scale as the --time-scale flag was given. */
const times = (n) => `×${Number.isInteger(n) ? n : Number(n.toPrecision(3))}`;

/**
 * The label beside service time: { text, title, paused } or undefined (no clock known yet, or a
 * playback, whose status says it).
 */
export function clockLabel(c) {
  if (c === undefined || c.clock === "playback") return undefined;
  if (c.clock === "virtual") return { text: "virtual", title: "virtual clock: service time moves only when advanced (the buttons, lambda-sim clock advance)", paused: false };
  const speed = c.scale === 1 ? "real time" : times(c.scale);
  if (c.paused) return { text: `paused (${speed})`, title: `service time stands still (lambda-sim clock pause); resumed, it runs at ${speed}`, paused: true };
  return { text: speed, title: c.scale === 1 ? "service time runs with the wall clock" : `service timers run ${c.scale} times faster than wall time (--time-scale ${c.scale}); handlers run at their own speed`, paused: false };
}

/** Which clock buttons to show: advance on the virtual clock, pause or resume on a wall clock, none in playback. */
export function clockControls(c) {
  const wall = c !== undefined && (c.clock === "system" || c.clock === "scaled");
  return { advance: c?.clock === "virtual", pause: wall && !c.paused, resume: wall && c.paused };
}

/** The status at the right of the header while connected, with the events of the last second. */
export function statusText(c, rate) {
  if (c?.clock === "playback") return c.ended ? "playback ended" : `playback ${times(c.speed)} · ${rate} events/s`;
  if (c?.paused) return rate > 0 ? `paused · ${rate} events/s` : "paused";
  return `live · ${rate} events/s`;
}
