import type { Clock, TimerHandle } from "../clock/clock.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";

/** How long (service ms) a function stays Pending after CreateFunction, and InProgress after an update. */
export interface TransitionTimes {
  pendingMs: number;
  updateMs: number;
}

/**
 * Our choice: instant by default, so a test loop never waits on a deploy step. AWS takes about a
 * second for a plain .zip function and up to minutes with a VPC; a user checking that a deploy
 * script waits (`aws lambda wait function-updated`, boto3's `function_updated_v2`) turns them on
 * with lambda-sim.yaml's `functionStates:`.
 */
export const INSTANT_TRANSITIONS: TransitionTimes = { pendingMs: 0, updateMs: 0 };

/** What GetFunctionConfiguration shows of $LATEST while a transition lasts. */
export type FunctionStatus = { state: "Pending" } | { state: "Active"; lastUpdateStatus: "InProgress" };

type Operation = "Invoke" | "UpdateFunctionCode" | "UpdateFunctionConfiguration" | "PublishVersion";

/**
 * AWS's function states after a change made through the API ("Lambda function states", developer
 * guide): after CreateFunction the function is `Pending` and Invoke, UpdateFunctionCode,
 * UpdateFunctionConfiguration and PublishVersion fail; after an update `LastUpdateStatus` is
 * `InProgress`, invocations go on, and the same three updates fail, each with a
 * ResourceConflictException. The well-known deploy-script failure ("An update is in progress for
 * resource", e.g. ansible-collections/community.aws#830) can so be met here before it is met on AWS.
 *
 * What differs: invocations during an update run the new code and configuration at once (on AWS
 * the previous ones until the update completes). Windows are held in memory: a restart completes them.
 *
 * Each window arms a clock timer at its end (`lambda.function-state:NAME`, work, not housekeeping),
 * so on the virtual clock `advance`, `run-until-idle` and `lambda-sim run`'s auto-advance reach it
 * and a waiter's next poll sees Active / Successful. `start --clock virtual` moves time only when
 * told: there a window closes at the next advance or run-until-idle, not by itself.
 */
export class FunctionTransitions {
  private readonly clock: Clock;
  private readonly times: TransitionTimes;
  private readonly windows = new Map<string, { status: FunctionStatus; until: number; timer: TimerHandle }>();

  constructor(clock: Clock, times: TransitionTimes = INSTANT_TRANSITIONS) {
    this.clock = clock;
    this.times = times;
  }

  /** CreateFunction made `name`: Pending for pendingMs. */
  created(name: string): void {
    this.open(name, { state: "Pending" }, this.times.pendingMs);
  }

  /** UpdateFunctionCode or UpdateFunctionConfiguration changed `name`: InProgress for updateMs. */
  updated(name: string): void {
    this.open(name, { state: "Active", lastUpdateStatus: "InProgress" }, this.times.updateMs);
  }

  deleted(name: string): void {
    this.close(name);
  }

  /** $LATEST's status now, undefined once Active and Successful. Costs one Map size check when no window is open. */
  status(name: string): FunctionStatus | undefined {
    if (this.windows.size === 0) return undefined;
    const w = this.windows.get(name);
    if (w === undefined) return undefined;
    if (this.clock.now() < w.until) return w.status;
    this.close(name);
    return undefined;
  }

  /** Throws AWS's ResourceConflictException if `operation` may not run on `name` now. */
  check(name: string, operation: Operation, arn: string): void {
    const status = this.status(name);
    if (status === undefined) return;
    // AWS's messages as deploy tools quote them (claudiajs/claudia#226, aws/aws-cli#6718; Pending: the developer guide's list).
    if (status.state === "Pending") throw lambdaErrors.resourceConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending");
    if (operation !== "Invoke") throw lambdaErrors.resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
  }

  private open(name: string, status: FunctionStatus, ms: number): void {
    this.close(name);
    if (ms <= 0) return;
    const window = { status, until: this.clock.now() + ms, timer: undefined as unknown as TimerHandle };
    // Work the virtual clock steps to: without it nothing is pending and run-until-idle answers at once.
    window.timer = this.clock.setTimer(ms, () => {
      if (this.windows.get(name) === window) this.windows.delete(name);
    }, `lambda.function-state:${name}`);
    this.windows.set(name, window);
  }

  private close(name: string): void {
    this.windows.get(name)?.timer.cancel();
    this.windows.delete(name);
  }
}
