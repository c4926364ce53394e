/**
 * Whether a fault's resource reference (`sqs:orders`, `kinesis:clicks`, `lambda:audit`, or a full
 * ARN) names `arn`. Short forms compare the service and the resource name, as lambda-sim.yaml's
 * references do.
 */
export function arnMatches(ref: string, arn: string): boolean {
  if (ref.startsWith("arn:")) return arn === ref || arn.startsWith(`${ref}:`);
  const i = ref.indexOf(":");
  if (i < 0) return false;
  const service = ref.slice(0, i);
  const name = ref.slice(i + 1);
  const parts = arn.split(":");
  if (parts[2] !== service) return false;
  // lambda: function:NAME[:qualifier]; kinesis: stream/NAME; events: event-bus/NAME; sqs and sns: NAME.
  if (parts[5] === "function") return parts[6] === name;
  const resource = parts.slice(5).join(":");
  return resource === name || resource.endsWith(`/${name}`);
}

/** A function reference (name or ARN) against a function name. */
export function functionMatches(ref: string, functionName: string): boolean {
  return ref.startsWith("arn:") ? ref.split(":")[6] === functionName : ref === functionName;
}
