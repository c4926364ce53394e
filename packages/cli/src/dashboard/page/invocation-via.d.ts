import type { InvocationVia } from "@lambda-sim/core";

/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders`. */
export function sourceLabel(arn: string): string;
/** A schedule's ARN as a row names it: `schedule:nightly`, `schedule:reports/nightly`, `events:rule/nightly`. */
export function scheduleLabel(arn: string): string;
/** `REST GET /long`, `HTTP GET /long`, `URL`, `sqs:orders`; undefined without a via (invocation-via.js). */
export function viaLabel(via: InvocationVia | undefined): string | undefined;
/** `REST API abc stage Prod route GET /long`, `function URL xyz`, `event source mapping from ARN`. */
export function viaTitle(via: InvocationVia | undefined): string;
/** An invocation row's `{ label, title }`: its front, source, or the topic, rule or schedule that delivered it. */
export function rowVia(s: { via?: InvocationVia; front?: InvocationVia; source?: string }): { label: string; title: string };
