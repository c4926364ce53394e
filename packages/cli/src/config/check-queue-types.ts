import { dottedPath, parseReference } from "@lambda-sim/core";
import { asMap, declaredNames, type Architecture } from "./check-references.ts";

type Path = (string | number)[];

/**
 * Where lambda-sim.yaml joins a FIFO and a standard resource that AWS keeps apart: a queue's
 * dead-letter queue must be of the queue's type (SQS DG sqs-dead-letter-queues; CreateQueue's
 * "Dead-letter queue must be same type of queue as the source."), and a FIFO queue cannot subscribe
 * to a standard topic (Subscribe's "FIFO SQS Queues can not be subscribed to standard SNS topics").
 * The API refuses both, but at start that refusal named no line (walk40 F3, F6); here each is one
 * line, `<file>:<line> <key.path>: ...`, found with the file's other reference problems.
 * A queue or topic is FIFO when its name ends in `.fifo`: AWS's naming rules make the two the same
 * (a standard name may not hold a dot), for declared names, a template's and ARNs alike.
 * A `sqs:NAME` that names nothing is checkReferences' to report, and is skipped here.
 */
export function checkQueueTypes(config: Record<string, unknown>, file: string, lineOf: (path: Path) => number | undefined, architecture?: Architecture): string[] {
  const queues = new Set([...Object.keys(asMap(config.queues)), ...(architecture === undefined ? [] : declaredNames(architecture, "queue"))]);
  // The queue a redrive target or an endpoint names (undefined: not a queue this check can tell).
  const queueOf = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    if (value.startsWith("arn:aws:sqs:")) return value.slice(value.lastIndexOf(":") + 1);
    const r = parseReference(value);
    return r?.service === "sqs" && queues.has(r.name) ? r.name : undefined;
  };
  const fifo = (name: string) => name.endsWith(".fifo");
  const problems: { line: number | undefined; text: string }[] = [];
  const add = (path: Path, reason: string) => {
    const line = lineOf(path);
    problems.push({ line, text: `${file}:${line ?? ""} ${dottedPath(path)}: ${reason}` });
  };
  const kind = (name: string) => (fifo(name) ? "a FIFO" : "a standard");
  for (const [name, q] of Object.entries(asMap(config.queues))) {
    const target = asMap(asMap(q).redrivePolicy).deadLetterTargetArn;
    const dlq = queueOf(target);
    if (dlq === undefined || fifo(dlq) === fifo(name)) continue;
    add(["queues", name, "redrivePolicy", "deadLetterTargetArn"], `Dead-letter queue must be same type of queue as the source: ${String(target)} is ${kind(dlq)} queue, ${name} ${kind(name)} one`);
  }
  for (const [name, t] of Object.entries(asMap(config.topics))) {
    const subs = asMap(t).subscriptions;
    (Array.isArray(subs) ? subs : []).forEach((s, i) => {
      const sub = asMap(s);
      const queue = sub.protocol === "sqs" ? queueOf(sub.endpoint) : undefined;
      // Subscribe's reason, without its "Invalid parameter: Invalid parameter: Endpoint Reason:" (the key path says where).
      if (queue !== undefined && fifo(queue) && !fifo(name)) {
        add(["topics", name, "subscriptions", i, "endpoint"], `FIFO SQS Queues can not be subscribed to standard SNS topics: ${String(sub.endpoint)} is a FIFO queue, ${name} a standard topic`);
      }
    });
  }
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return problems.map((p) => p.text);
}
