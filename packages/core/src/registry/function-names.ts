/**
 * FunctionName forms Lambda accepts (aws-facts §1.1): `name`, `name:qualifier`, the full ARN
 * `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` and the partial ARN
 * `<account>:function:<name>[:<qualifier>]`.
 */
export function parseFunctionName(input: string): { name: string; qualifier?: string } {
  const parts = input.split(":");
  if (parts[0] === "arn" && parts.length >= 7) return { name: parts[6]!, qualifier: parts[7] };
  if (parts.length >= 3 && parts[1] === "function") return { name: parts[2]!, qualifier: parts[3] };
  if (parts.length === 2) return { name: parts[0]!, qualifier: parts[1] };
  return { name: input };
}

/** Lambda's LastModified format: `2019-11-14T18:16:05.568+0000`. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/**
 * lambda-sim.yaml's short resource names (DESIGN.md "Config"): `sqs:NAME`, `lambda:NAME`,
 * `sns:NAME` become full ARNs; anything else (an ARN) is returned as written.
 */
export function expandArn(ref: string, region: string, accountId: string): string {
  const m = /^(sqs|sns|lambda):([^:]+)$/.exec(ref);
  if (m === null) return ref;
  return m[1] === "lambda" ? `arn:aws:lambda:${region}:${accountId}:function:${m[2]}` : `arn:aws:${m[1]}:${region}:${accountId}:${m[2]}`;
}
