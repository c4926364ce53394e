// Reads the compact form of /_sim/events (packages/core/src/telemetry/compact-events.ts): after a
// `compact` frame, events of its types come as arrays [tag, seq, time, ...values]. Shared by the
// page and `lambda-sim tail`; plain JS, served as it is.

/** The event an item of an `events` frame stands for; `fields`: the last `compact` frame's. */
export function decodeEvent(item, fields) {
  if (!Array.isArray(item)) return item;
  const names = fields[item[0]];
  const e = { type: names[0], seq: item[1], time: item[2] };
  for (let i = 3; i < item.length; i++) if (item[i] !== null) e[names[i - 2]] = item[i];
  return e;
}
