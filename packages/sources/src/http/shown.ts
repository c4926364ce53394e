/** A value of the function's answer, cut short, as a reason quotes it. */
export function shown(v: unknown): string {
  const text = v === undefined ? "missing" : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
