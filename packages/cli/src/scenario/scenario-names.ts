import { dottedPath, FUNCTION_DEFAULTS, parseReference, SimError, suggestion, type FaultSpec } from "@lambda-sim/core";
import { declaredNames } from "../config/check-references.ts";
import { logicalIds, physicalName, type NamedKind } from "../template/logical-names.ts";
import type { StartConfig } from "../template/start-config.ts";
import { resolveHttpTarget } from "./http-target.ts";
import { NAMED_BY_KEY, PER_FUNCTION_KEYS, type ExpectationNames } from "./expectations.ts";
import { shortName } from "./observations.ts";
import type { Expectations, TrafficStep } from "./scenario-schema.ts";
import type { ResolvedStep } from "./traffic.ts";

type Path = (string | number)[];

/** What a fault's scope may name with a prefix: mapping sources, and destination or DLQ targets. */
const FAULT_PREFIXES = { source: ["sqs", "kinesis"], target: ["sqs", "sns", "lambda", "events"] } as const;

/**
 * The one resolver of the names a scenario, or the lambda-sim.yaml beside a template
 * (start-config.ts: its faults), writes: a resource of the architecture by its own name
 * or, with a template, by its logical id (template/logical-names.ts), turned into the name the
 * simulator knows. Everything is resolved once, when the scenario loads, and the run uses what
 * came back: traffic steps' targets, faults' function, source and target, and every name an
 * expectation keys (ExpectationNames). Traffic, faults and expectations are also checked then: a
 * name the architecture does not have is an error, `<file>:<line> <key.path>: ...` as every
 * config error, listing the names it has, rather than traffic that fails, a fault that never
 * fires or an expectation that can never fail mid-run. A full ARN is taken as written.
 */
export class ScenarioNames {
  private readonly a: StartConfig;
  private readonly file: string;
  private readonly lineAt: (p: readonly PropertyKey[]) => number | undefined;
  private readonly problems: { line: number | undefined; text: string }[] = [];
  /** `kind:name` of what the traffic and faults (and per-function expectations) name: an expectation may name them too, as that kind. */
  private readonly mentioned = new Set<string>();

  constructor(architecture: StartConfig, file: string, lineAt: (p: readonly PropertyKey[]) => number | undefined) {
    this.a = architecture;
    this.file = file;
    this.lineAt = lineAt;
  }

  /** The scenario's traffic, each step naming its queue, stream, topic (its ARN), bus or function as the simulator knows it. */
  traffic(steps: readonly TrafficStep[]): ResolvedStep[] {
    return steps.map((step, i) => {
      if ("send" in step) return { ...step, target: this.name("queue", step.send.queue, ["traffic", i, "send", "queue"]) };
      if ("put" in step) return { ...step, target: this.name("stream", step.put.stream, ["traffic", i, "put", "stream"]) };
      if ("publish" in step) return { ...step, target: this.topicArn(step.publish.topic, ["traffic", i, "publish", "topic"]) };
      if ("putEvents" in step) return { ...step, target: this.asWritten("bus", step.putEvents.bus, ["traffic", i, "putEvents", "bus"]) };
      if ("invoke" in step) return { ...step, target: this.qualifiedFunction(step.invoke.function, ["traffic", i, "invoke", "function"]) };
      if ("http" in step) return { ...step, target: resolveHttpTarget(this.a, step.http, ["traffic", i, "http"], (w, p) => this.name("function", w, p), (p, text) => this.problem(p, text)) };
      return step;
    });
  }

  /** The scenario's faults with their scope's function, source and target resolved. */
  faults(faults: readonly FaultSpec[]): FaultSpec[] {
    return faults.map((f, i) => {
      const out = { ...f };
      if (out.function !== undefined && !out.function.startsWith("arn:")) out.function = this.name("function", out.function, ["faults", i, "function"]);
      if (out.source !== undefined) out.source = this.reference(out.source, FAULT_PREFIXES.source, ["faults", i, "source"]);
      if (out.kind === "delivery-failure") out.target = this.reference(out.target, FAULT_PREFIXES.target, ["faults", i, "target"]);
      return out;
    });
  }

  /**
   * The simulator's name for every name the expectations key, each checked: without the check
   * `errors: { orders: 0 }` or `messages: { orders-dql: 0 }` passes for a misspelt name (or a
   * template's generated one) and a CI guard can never fail (newuser9 P2-3). Per-function keys
   * name functions; the others a queue, stream or delivery target the architecture has, or one
   * the traffic or faults name, or one a function's destination or DLQ names (an ARN the
   * architecture does not declare, counted by its last part as the report does).
   */
  expectations(expect: Expectations): ExpectationNames {
    const out: Record<string, Record<string, string>> = {};
    for (const [key, byName] of Object.entries(expect)) {
      const perFunction = PER_FUNCTION_KEYS.includes(key as keyof Expectations);
      const kinds = NAMED_BY_KEY[key];
      if (!perFunction && kinds === undefined) continue; // faultsFired: a bound, naming nothing
      const resolved = (name: string) => (perFunction ? this.name("function", name, ["expect", key, name], ["expect", key]) : this.target(kinds!, name, ["expect", key, name], ["expect", key]));
      out[key] = Object.fromEntries(Object.keys(byName as Record<string, unknown>).map((name) => [name, resolved(name)]));
    }
    return out;
  }

  /**
   * `serviceTime:`'s functions as the simulator knows them; a `model` function's duration is its
   * model's. A service time longer than the function's timeout is refused: on AWS that invocation
   * times out (Sandbox.Timedout, aws-facts §1), it never succeeds after outlasting it.
   */
  serviceTimes(byName: Readonly<Record<string, number>>): Map<string, number> {
    const out = new Map<string, number>();
    for (const [written, ms] of Object.entries(byName)) {
      const name = this.name("function", written, ["serviceTime", written], ["serviceTime"]);
      const fn = this.a.functions.find((f) => f.functionName === name);
      const timeout = fn?.timeout ?? FUNCTION_DEFAULTS.timeout;
      if (fn?.runtime === "model") this.problem(["serviceTime", written], `serviceTime.${written}: ${written} is runtime: model, whose model.durationMs is its service time`);
      else if (fn !== undefined && ms > timeout * 1000) this.problem(["serviceTime", written], `serviceTime.${written}: ${ms} ms is longer than ${written}'s timeout of ${timeout} s (on AWS that invocation times out)`);
      else out.set(name, ms);
    }
    return out;
  }

  /** Throws every problem found, in the order of the file, as one ERR_CONFIG. */
  check(): void {
    if (this.problems.length === 0) return;
    this.problems.sort((x, y) => (x.line ?? Infinity) - (y.line ?? Infinity));
    throw new SimError("ERR_CONFIG", this.problems.map((p) => p.text).join("\n"));
  }

  /** A logical id (of one of `kinds`) as the name it became; any other name as is (exact names win: physicalName). */
  private resolve(kinds: readonly NamedKind[], name: string): string {
    return physicalName(this.a.template?.names, kinds, name);
  }

  /** `written`'s name as the simulator knows it; a problem recorded (at `path`, shown as `shown`) when the architecture has none. */
  private name(kind: NamedKind, written: string, path: Path, shown: Path = path): string {
    const resolved = this.resolve([kind], written);
    this.mentioned.add(`${kind}:${resolved}`);
    const names = this.declared(kind);
    if (!names.includes(resolved)) {
      this.problem(path, `${dottedPath(shown)}: no ${kind} named '${written}' (the architecture has: ${[...names, ...logicalIds(this.a.template?.names, kind)].join(", ") || "none"})`);
    }
    return resolved;
  }

  /**
   * An expectation's queue, stream or target, resolved; a problem recorded when neither the
   * architecture nor the scenario's own traffic and faults name it, with a "did you mean".
   */
  private target(kinds: readonly NamedKind[], written: string, path: Path, shown: Path): string {
    if (written.startsWith("arn:")) return written;
    const resolved = this.resolve(kinds, written);
    const names = [...new Set(kinds.flatMap((k) => this.declared(k)))];
    // Only a name of the kinds asked for: a stream named where a queue is expected never matches (newuser13 N13-11: it passed vacuously).
    if (names.includes(resolved) || kinds.some((k) => this.mentioned.has(`${k}:${resolved}`)) || this.destinations().has(resolved)) return resolved;
    const known = [...new Set([...names, ...kinds.flatMap((k) => logicalIds(this.a.template?.names, k))])];
    const what = kinds.length === 1 ? kinds[0] : `${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}`;
    this.problem(path, `${dottedPath(shown)}: no ${what} named '${written}'${suggestion(written, known)} (the architecture has: ${known.join(", ") || "none"})`);
    return resolved;
  }

  /** The last part of every destination and DLQ the architecture's functions name (`sqs:failed`, an ARN). */
  private destinations(): Set<string> {
    const out = new Set<string>();
    for (const f of this.a.functions) {
      for (const ref of [f.deadLetterTargetArn, f.eventInvokeConfig?.onSuccess, f.eventInvokeConfig?.onFailure]) {
        if (ref === undefined) continue;
        out.add(ref.startsWith("arn:") ? shortName(ref) : (parseReference(ref)?.name ?? ref));
      }
    }
    return out;
  }

  /** A full ARN as written; any other name resolved and checked. */
  private asWritten(kind: NamedKind, written: string, path: Path): string {
    return written.startsWith("arn:") ? written : this.name(kind, written, path);
  }

  /** A traffic publish's topic as the ARN Publish takes (SNS names topics only by ARN). */
  private topicArn(written: string, path: Path): string {
    return written.startsWith("arn:") ? written : `arn:aws:sns:${this.a.region}:${this.a.accountId}:${this.name("topic", written, path)}`;
  }

  /** A traffic invoke's `NAME[:QUALIFIER]`: NAME resolved, the qualifier kept. */
  private qualifiedFunction(written: string, path: Path): string {
    if (written.startsWith("arn:")) return written;
    const [name, ...qualifier] = written.split(":");
    return [this.name("function", name!, path), ...qualifier].join(":");
  }

  /** A `service:NAME` reference with NAME resolved; an ARN as written. */
  private reference(ref: string, prefixes: readonly string[], path: Path): string {
    if (ref.startsWith("arn:")) return ref;
    const r = parseReference(ref);
    if (r === undefined || r.name === "" || !prefixes.includes(r.service)) {
      this.problem(path, `${dottedPath(path)}: expected ${prefixes.map((p) => `${p}:NAME`).join(", ")} or an ARN, got ${ref}`);
      return ref;
    }
    // `lambda:NAME:QUALIFIER` names the function NAME.
    return `${r.service}:${this.name(r.kind, r.name, path)}${r.qualifier === undefined ? "" : `:${r.qualifier}`}`;
  }

  /** The names of one kind the architecture has (check-references.ts's declaredNames). */
  private declared(kind: NamedKind): string[] {
    return declaredNames(this.a, kind);
  }

  private problem(path: Path, text: string): void {
    const line = this.lineAt(path);
    this.problems.push({ line, text: `${this.file}:${line ?? ""} ${text}` });
  }
}
