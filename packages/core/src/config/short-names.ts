/**
 * lambda-sim.yaml's short resource names (DESIGN.md "Config"): `lambda:NAME`, `sqs:NAME`,
 * `kinesis:NAME` become full ARNs in the simulator's region and account. Core knows its own
 * (`lambda`); each source registers the format of its service when its module loads, before any
 * config is read. Formats are static data, the same for every Simulator of the process.
 */
export type ArnFormat = (name: string, region: string, accountId: string) => string;

const formats = new Map<string, ArnFormat>([
  ["lambda", (name, region, accountId) => `arn:aws:lambda:${region}:${accountId}:function:${name}`],
]);

/** Registers `service:NAME` (e.g. `sqs`, `(n, r, a) => arn:aws:sqs:r:a:n`). */
export function registerShortName(service: string, format: ArnFormat): void {
  formats.set(service, format);
}

/**
 * `service:NAME` as an ARN when the service registered a format; `lambda:NAME:QUALIFIER` as the
 * qualified function ARN (a version or alias, as a destination or schedule target may name it);
 * anything else as written.
 */
export function expandShortName(ref: string, region: string, accountId: string): string {
  const colon = ref.indexOf(":");
  if (colon <= 0) return ref;
  const service = ref.slice(0, colon);
  const format = formats.get(service);
  const name = ref.slice(colon + 1);
  if (format === undefined || name === "") return ref;
  if (!name.includes(":")) return format(name, region, accountId);
  const [fn, qualifier, ...rest] = name.split(":");
  return service === "lambda" && fn !== "" && qualifier !== "" && rest.length === 0 ? `${format(fn!, region, accountId)}:${qualifier}` : ref;
}
