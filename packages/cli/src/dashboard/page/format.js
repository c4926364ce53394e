// Formatting shared by the sections' HTML (render.js, fanout-render.js). Every string from the
// simulator goes through esc().

export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
export const short = (id) => esc(String(id ?? "").slice(0, 8));
export const ms = (n) => (n === undefined ? "" : n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
export const dur = (msv) => (msv < 1000 ? `${Math.round(msv)} ms` : msv < 120_000 ? `${(msv / 1000).toFixed(1)} s` : msv < 7_200_000 ? `${(msv / 60_000).toFixed(1)} min` : `${(msv / 3_600_000).toFixed(1)} h`);
export const clockTime = (t) => (t ? new Date(t).toISOString().replace("T", " ").slice(0, 19) : "—");
/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders` (a function: `lambda:function:NAME`). */
export const name = (arn) => { const p = String(arn).split(":"); return p.length >= 6 ? `${p[2]}:${p.slice(5).join(":").replace(/^stream\//, "")}` : String(arn); };

/** One curve of a sparkline: `history[i][key]` scaled to `max`, in a 100×32 viewBox. */
export function spark(history, key, colour, max) {
  if (history.length < 2) return "";
  const pts = history.map((h, i) => `${(i / (history.length - 1)) * 100},${30 - (h[key] / max) * 28}`).join(" ");
  return `<polyline points="${pts}" stroke="${colour}"/>`;
}
