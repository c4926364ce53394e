// Formatting shared by the sections' HTML (render.js, fanout-render.js). Every string from the
// simulator goes through esc().

export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
export const short = (id) => esc(String(id ?? "").slice(0, 8));
export const ms = (n) => (n === undefined ? "" : n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
export const dur = (msv) => (msv < 1000 ? `${Math.round(msv)} ms` : msv < 120_000 ? `${(msv / 1000).toFixed(1)} s` : msv < 7_200_000 ? `${(msv / 60_000).toFixed(1)} min` : `${(msv / 3_600_000).toFixed(1)} h`);
/**
 * An invocation's duration, and a cold start's Init beside it (`248.3 ms + init 2.7 s`): Lambda bills
 * the Init phase too (aws-facts §2), so a cold start's cost is the sum, not the handler's time alone (newuser14 F12).
 */
export const durationText = (durationMs, initMs) => `${ms(durationMs)} ms${initMs === undefined ? "" : ` <span class="init" title="Init Duration ${ms(initMs)} ms, billed with the first invocation">+ init ${dur(initMs)}</span>`}`;
export const clockTime = (t) => (t ? new Date(t).toISOString().replace("T", " ").slice(0, 19) : "—");
/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders` (a function: `lambda:function:NAME`). */
export const name = (arn) => { const p = String(arn).split(":"); return p.length >= 6 ? `${p[2]}:${p.slice(5).join(":").replace(/^stream\//, "")}` : String(arn); };

/** One curve of a sparkline: `history[i][key]` scaled to `max`, in a 100×32 viewBox. */
export function spark(history, key, colour, max) {
  if (history.length < 2) return "";
  const pts = history.map((h, i) => `${(i / (history.length - 1)) * 100},${30 - (h[key] / max) * 28}`).join(" ");
  return `<polyline points="${pts}" stroke="${colour}"/>`;
}
