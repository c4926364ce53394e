import { AwsError, isJsonObject, type Clock, listPage, jsonBody, serviceModel, validationMessage, type RestRequest, type RestRoute, type RestServiceSpec } from "@lambda-sim/core";
import { parseScheduleExpression } from "./schedule-expression.ts";
import { schedulerErrors } from "./schedule-errors.ts";
import { DEFAULT_GROUP, type ScheduleGroups } from "./schedule-groups.ts";
import type { ScheduleRunner } from "./schedule-runner.ts";
import { scheduleArn, type ScheduleDefinition, type ScheduleRecord, type ScheduleStore, type ScheduleTarget } from "./schedule-store.ts";
import { isTimeZone } from "./zoned-time.ts";

type Input = Record<string, unknown>;

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
/** ListSchedules: MaxResults 1-100 (botocore scheduler 2021-06-30). */
const MAX_RESULTS = 100;

/**
 * EventBridge Scheduler over REST-JSON (botocore scheduler 2021-06-30): CreateSchedule,
 * GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules under `/schedules`, in any group
 * that exists (scheduler-group-api.ts makes them).
 */
export function schedulerRoutes(store: ScheduleStore, groups: ScheduleGroups, runner: ScheduleRunner, clock: Clock, region: string, accountId: string): RestRoute[] {
  const arn = (r: ScheduleRecord) => scheduleArn(r, region, accountId);
  /** The group a request names (the default one when none): it must exist. */
  const checkGroup = (group: string | null | undefined): string => {
    const g = group ?? DEFAULT_GROUP;
    if (groups.get(g) === undefined) throw schedulerErrors.groupNotFound(g);
    return g;
  };
  /** lambda-sim's own header: a template's start-up action made it (schedule-store.ts `declared`). */
  const declaredBy = (req: RestRequest, r: ScheduleRecord) => {
    if (req.headers["x-lambda-sim-declared"] === "template") store.markDeclared(r, "template");
  };
  const find = (req: RestRequest, group: string | null | undefined) => {
    const g = checkGroup(group);
    const r = store.get("scheduler", g, req.params.Name!);
    if (r === undefined) throw schedulerErrors.notFound(req.params.Name!);
    return r;
  };
  return [
    {
      method: "POST",
      path: "/schedules/{Name}",
      operation: "CreateSchedule",
      handler: (req) => {
        const input = jsonBody(req);
        const group = checkGroup(input.GroupName as string | undefined);
        if (!NAME.test(req.params.Name!)) throw schedulerErrors.validation(`Value '${req.params.Name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+`);
        if (store.get("scheduler", group, req.params.Name!) !== undefined) throw schedulerErrors.conflict(req.params.Name!);
        const r = runner.save("scheduler", group, req.params.Name!, schedulerDefinition(input, clock.now()));
        declaredBy(req, r);
        return { body: { ScheduleArn: arn(r) } };
      },
    },
    {
      method: "PUT",
      path: "/schedules/{Name}",
      operation: "UpdateSchedule",
      handler: (req) => {
        const input = jsonBody(req);
        const old = find(req, input.GroupName as string | undefined);
        // UpdateSchedule replaces every field; omitted optional ones return to their defaults.
        const r = runner.save("scheduler", old.group, old.name, schedulerDefinition(input, clock.now()));
        declaredBy(req, r);
        return { body: { ScheduleArn: arn(r) } };
      },
    },
    {
      method: "GET",
      path: "/schedules/{Name}",
      operation: "GetSchedule",
      handler: (req) => {
        const r = find(req, req.query.get("groupName"));
        return { body: describe(r, arn(r)) };
      },
    },
    {
      method: "DELETE",
      path: "/schedules/{Name}",
      operation: "DeleteSchedule",
      handler: (req) => {
        runner.remove(find(req, req.query.get("groupName")));
        return { body: {} };
      },
    },
    {
      method: "GET",
      path: "/schedules",
      operation: "ListSchedules",
      handler: (req) => {
        const group = req.query.get("ScheduleGroup");
        // The model's ResourceNotFoundException for ListSchedules: a group that does not exist (our reading; AWS's answer is unrecorded).
        if (group !== null) checkGroup(group);
        const prefix = req.query.get("NamePrefix") ?? "";
        const state = req.query.get("State");
        const all = store.list("scheduler").filter((r) => (group === null || r.group === group) && r.name.startsWith(prefix) && (state === null || r.def.State === state));
        // MaxResults 1-100 (the model's check), 100 without it. The NextToken names the last
        // schedule returned (core listPage), so deleting the schedules of a page while paging skips
        // none. AWS's answer to a token it did not hand out is unrecorded: our choice, a
        // ValidationException (the model's error for a bad request).
        const page = listPage(all, {
          listing: "ListSchedules",
          position: (r) => [r.group, r.name],
          count: Number(req.query.get("MaxResults") ?? MAX_RESULTS),
          token: req.query.get("NextToken"),
          invalidToken: () => schedulerErrors.validation("The NextToken provided is invalid."),
        });
        const summaries = page.items.map((r) => ({ Arn: arn(r), CreationDate: r.createdAt / 1000, GroupName: r.group, LastModificationDate: r.modifiedAt / 1000, Name: r.name, State: r.def.State, Target: { Arn: r.def.Targets[0]!.Arn } }));
        return { body: { Schedules: summaries, NextToken: page.next } };
      },
    },
  ];
}

function describe(r: ScheduleRecord, arn: string) {
  const d = r.def;
  return {
    ActionAfterCompletion: d.ActionAfterCompletion,
    Arn: arn,
    CreationDate: r.createdAt / 1000,
    Description: d.Description,
    EndDate: d.EndDate === undefined ? undefined : d.EndDate / 1000,
    FlexibleTimeWindow: d.FlexibleTimeWindow,
    GroupName: r.group,
    KmsKeyArn: d.Extra?.KmsKeyArn,
    LastModificationDate: r.modifiedAt / 1000,
    Name: r.name,
    ScheduleExpression: d.ScheduleExpression,
    ScheduleExpressionTimezone: d.ScheduleExpressionTimezone,
    StartDate: d.StartDate === undefined ? undefined : d.StartDate / 1000,
    State: d.State,
    Target: d.Targets[0],
  };
}

/** Validates a CreateSchedule/UpdateSchedule body, at service time `now`, into the stored definition (aws-facts §9.2). */
export function schedulerDefinition(input: Input, now: number): ScheduleDefinition {
  const v = schedulerErrors.validation;
  const expression = input.ScheduleExpression;
  if (typeof expression !== "string") throw v("1 validation error detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null");
  if (parseScheduleExpression(expression, "scheduler") === undefined) throw schedulerErrors.invalidExpression(expression);
  const timeZone = (input.ScheduleExpressionTimezone as string | undefined) ?? "UTC";
  if (!isTimeZone(timeZone)) throw v(`Invalid time zone ${timeZone}.`);
  const window = input.FlexibleTimeWindow as ScheduleDefinition["FlexibleTimeWindow"] | undefined;
  if (window === undefined || (window.Mode !== "OFF" && window.Mode !== "FLEXIBLE")) throw v("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null");
  const minutes = window.MaximumWindowInMinutes;
  if (window.Mode === "FLEXIBLE" && (minutes === undefined || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) throw v("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.");
  const target = input.Target as ScheduleTarget | undefined;
  if (!isJsonObject(target) || typeof target.Arn !== "string") throw v("1 validation error detected: Value null at 'target.arn' failed to satisfy constraint: Member must not be null");
  if (typeof target.RoleArn !== "string") throw v("1 validation error detected: Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null");
  if (target.Input !== undefined && typeof target.Input !== "string") throw v("1 validation error detected: Value at 'target.input' failed to satisfy constraint: Member must be a string");
  for (const key of ["RetryPolicy", "DeadLetterConfig"] as const) {
    if (target[key] !== undefined && !isJsonObject(target[key])) throw v(`1 validation error detected: Value at 'target.${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must be a structure`);
  }
  const retry = target.RetryPolicy;
  if (retry?.MaximumRetryAttempts !== undefined && !(retry.MaximumRetryAttempts >= 0 && retry.MaximumRetryAttempts <= 185)) throw v("MaximumRetryAttempts must be between 0 and 185.");
  if (retry?.MaximumEventAgeInSeconds !== undefined && !(retry.MaximumEventAgeInSeconds >= 60 && retry.MaximumEventAgeInSeconds <= 86_400)) throw v("MaximumEventAgeInSeconds must be between 60 and 86400.");
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && !/^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/.test(dlq)) throw v(`Value '${dlq}' at 'target.deadLetterConfig.arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+`);
  const startDate = timestamp(input.StartDate);
  const endDate = timestamp(input.EndDate);
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) throw v("The EndDate must be after the StartDate.");
  // AWS's wording, as recorded by moto (getmoto/moto#8172).
  if (startDate !== undefined && startDate < now - 5 * 60_000) throw v("The StartDate you specify cannot be earlier than 5 minutes ago.");
  const state = (input.State as string | undefined) ?? "ENABLED";
  if (state !== "ENABLED" && state !== "DISABLED") throw v(`Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  const after = (input.ActionAfterCompletion as string | undefined) ?? "NONE";
  if (after !== "NONE" && after !== "DELETE") throw v(`Value '${after}' at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]`);
  return {
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: timeZone,
    State: state,
    Description: input.Description as string | undefined,
    StartDate: startDate,
    EndDate: endDate,
    FlexibleTimeWindow: window.Mode === "OFF" ? { Mode: "OFF" } : { Mode: "FLEXIBLE", MaximumWindowInMinutes: minutes },
    ActionAfterCompletion: after,
    // The target's *Parameters are kept and returned as given (newuser13 N13-2); Kinesis's and SQS's are used.
    Targets: [{ ...targetParameters(target as unknown as Record<string, unknown>), Arn: target.Arn, RoleArn: target.RoleArn, Input: target.Input, RetryPolicy: retry, DeadLetterConfig: target.DeadLetterConfig }],
    Extra: input.KmsKeyArn === undefined ? undefined : { KmsKeyArn: input.KmsKeyArn },
  };
}

/** REST-JSON timestamps arrive as epoch seconds (the SDKs' default); ISO text is accepted too. */
function timestamp(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === "number" ? v * 1000 : Date.parse(String(v));
  if (Number.isNaN(ms)) throw schedulerErrors.validation(`Invalid timestamp ${String(v)}.`);
  return ms;
}

/**
 * EventBridge Scheduler's REST-JSON API as the router checks it (botocore scheduler 2021-06-30):
 * constraint failures are ValidationException 400 with `Message` (aws-facts §9.2).
 */
export function schedulerRestSpec(): RestServiceSpec {
  return {
    signingName: "scheduler",
    model: serviceModel("scheduler"),
    errors: {
      serialization: (message) => new AwsError("SerializationException", 400, message),
      validation: (violations) => schedulerErrors.validation(validationMessage(violations)),
      unknownOperation: (name) => new AwsError("UnknownOperationException", 404, `Unknown operation ${name}`),
      internal: () => new AwsError("InternalServerException", 500, "Unexpected error during processing of request."),
    },
  };
}

/** The parameters members of Scheduler's `Target` shape (botocore scheduler-2021-06-30) that were given. */
function targetParameters(target: Record<string, unknown>): Record<string, unknown> {
  const members = ["EcsParameters", "EventBridgeParameters", "KinesisParameters", "SageMakerPipelineParameters", "SqsParameters"];
  return Object.fromEntries(members.filter((k) => target[k] !== undefined).map((k) => [k, target[k]]));
}
