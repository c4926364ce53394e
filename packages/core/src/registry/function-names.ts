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
