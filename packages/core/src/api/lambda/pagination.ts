import type { RestRequest } from "../../protocols/rest-json.ts";

/** Marker/MaxItems paging (the marker is the index of the next item). */
export function page(items: unknown[], req: RestRequest, key: string) {
  const start = Number(req.query.get("Marker") ?? 0) || 0;
  const max = Math.min(Number(req.query.get("MaxItems") ?? 50) || 50, 10_000);
  const slice = items.slice(start, start + max);
  const body: Record<string, unknown> = { [key]: slice };
  if (start + max < items.length) body.NextMarker = String(start + max);
  return { body };
}
