/**
 * An ARN's fields, `arn:partition:service:region:account-id:resource` (AWS's "Identify AWS
 * resources with Amazon Resource Names"). The resource part may itself hold colons
 * (`function:NAME:QUALIFIER`), so only the fields before it are read here. A field the text is
 * too short to hold reads as each function says; no other check, as the callers' own rules come first.
 */

/** `arn:aws:sqs:...` → `sqs`: which service serves it (a registered target, poller or stream reader); "" when there is none. */
export function arnService(arn: string): string {
  return arn.split(":")[2] ?? "";
}

/** `arn:aws:sqs:us-east-1:123456789012:orders` → `123456789012`. */
export function arnAccount(arn: string): string | undefined {
  return arn.split(":")[4];
}
