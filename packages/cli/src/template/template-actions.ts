import { binaryOrder } from "@lambda-sim/core";
import type { FunctionUrlDefinition, FunctionUrls, MappingInput } from "@lambda-sim/core";

/**
 * What a template declares that lambda-sim.yaml has no key for: EventBridge buses, rules and
 * their targets, Scheduler schedule groups, versions published by AutoPublishAlias or AWS::Lambda::Version, aliases, and
 * provisioned concurrency; and what needs one of those first: the mappings and function URL of an
 * alias (alias-targets.ts). They are applied once the simulator listens, through its own AWS APIs
 * (the requests `aws events put-rule` or `aws lambda publish-version` would send), so they get the
 * API's validation and errors and change nothing downstream.
 */
export type TemplateAction =
  | { kind: "rule"; logicalId: string; name: string; rule: Record<string, unknown>; targets: Record<string, unknown>[] }
  | { kind: "event-bus"; logicalId: string; name: string; description?: string }
  | { kind: "schedule-group"; logicalId: string; name: string; arn: string; tags: { Key: string; Value: string }[] }
  | { kind: "publish-alias"; logicalId: string; functionName: string; alias: string; description?: string; provisioned?: number }
  | { kind: "event-invoke-config"; logicalId: string; functionName: string; qualifier: string; config: Record<string, unknown> }
  | { kind: "publish"; logicalId: string; functionName: string; description?: string; provisioned?: number }
  | { kind: "alias"; logicalId: string; functionName: string; alias: string; version: string; routingConfig?: unknown; provisioned?: number }
  /** `place`: where the template declares it (`<file>:<line> Resources.F.Properties.Events.Q.Properties`), as a refused start-up mapping is named. */
  | { kind: "mapping"; logicalId: string; place: string; input: MappingInput }
  | { kind: "function-url"; logicalId: string; functionName: string; qualifier: string; url: FunctionUrlDefinition }
  /** A Scheduler schedule on a version or alias (alias-targets.ts); `input` is its CreateSchedule request; `key` its `schedules:` key (`GROUP/NAME`). */
  | { kind: "schedule"; logicalId: string; place: string; key: string; group: string; name: string; input: Record<string, unknown> };

/** A stored schedule as the simulator's `schedules` state view shows it (ScheduleView). */
export interface StoredSchedule {
  kind: string;
  group: string;
  name: string;
  declared?: string;
}

/**
 * Applies every action in order; each failure is one line naming the logical id (a mapping: its
 * place). `some`: these are a few of the template's actions (`--watch` republishing one function),
 * not all of them: the alias URLs the others declare are left alone (review20 R20-1). `schedules`:
 * the stored schedules, whose template-made ones the template no longer declares are deleted.
 * `mappingProblems`: every refusal a mapping would meet; given, the mappings (last, after the
 * aliases they name) are checked together first, and none is made unless all pass, as the start
 * does with a configuration's own mappings (newuser13 N13-3: the API answers one per request).
 */
export async function applyTemplateActions(
  endpoint: string,
  file: string,
  actions: readonly TemplateAction[],
  urls: FunctionUrls,
  some = false,
  schedules?: () => StoredSchedule[],
  mappingProblems?: (input: MappingInput) => string[],
): Promise<string[]> {
  const problems: string[] = [];
  if (!some) forgetUndeclaredAliasUrls(urls, actions);
  let mappingsRefused: boolean | undefined;
  for (const a of actions) {
    if (a.kind === "mapping" && mappingProblems !== undefined) {
      if (mappingsRefused === undefined) {
        const refused = actions.flatMap((m) => (m.kind === "mapping" ? mappingProblems(m.input).map((text) => `${m.place}: ${text}`) : []));
        problems.push(...refused);
        mappingsRefused = refused.length > 0;
      }
      if (mappingsRefused) continue;
    }
    try {
      if (a.kind === "function-url") putFunctionUrl(urls, a);
      else await apply(endpoint, a);
    } catch (e) {
      if (a.kind === "mapping" || (a.kind === "schedule" && a.place !== "")) problems.push(`${a.place}: ${e instanceof ApiError ? e.detail : (e as Error).message}`);
      else problems.push(`${file}: Resources.${a.logicalId}: ${(e as Error).message}`);
    }
  }
  if (!some && schedules !== undefined) await forgetUndeclaredAliasSchedules(endpoint, actions, schedules()).catch((e: Error) => problems.push(`${file}: ${e.message}`));
  return problems;
}

/**
 * The schedules on aliases an earlier start of the template made that it no longer declares
 * (renamed, moved to another group, removed) go, as the schedules source removes the file's own
 * (review19 R19-9); schedules made by hand are not marked and stay.
 */
async function forgetUndeclaredAliasSchedules(endpoint: string, actions: readonly TemplateAction[], stored: readonly StoredSchedule[]): Promise<void> {
  const declared = new Set(actions.flatMap((a) => (a.kind === "schedule" ? [`${a.group}/${a.name}`] : [])));
  for (const s of stored) {
    if (s.kind === "scheduler" && s.declared === "template" && !declared.has(`${s.group}/${s.name}`)) {
      await rest(endpoint, "DELETE", `/schedules/${encodeURIComponent(s.name)}?groupName=${encodeURIComponent(s.group)}`, undefined, true);
    }
  }
}

/**
 * An alias's function URL, at the address the template's `!GetAtt <Fn>Url.FunctionUrl` gave (its
 * pinned url id), which CreateFunctionUrlConfig cannot choose: put in place as lambda-sim.yaml's
 * `functionUrl:` is, replacing the one a previous start made.
 */
function putFunctionUrl(urls: FunctionUrls, a: Extract<TemplateAction, { kind: "function-url" }>): void {
  for (const u of urls.all()) {
    if ((u.functionName === a.functionName && u.qualifier === a.qualifier) || u.urlId === a.url.urlId) urls.delete(u.functionName, u.qualifier);
  }
  urls.create(a.functionName, a.qualifier, a.url, "config");
}

/** The alias URLs an earlier start of the template made that it no longer declares go, as lambda-sim.yaml's do. */
function forgetUndeclaredAliasUrls(urls: FunctionUrls, actions: readonly TemplateAction[]): void {
  const declared = new Set(actions.flatMap((a) => (a.kind === "function-url" ? [`${a.functionName}:${a.qualifier}`] : [])));
  for (const u of urls.all()) {
    if (u.source === "config" && u.qualifier !== undefined && !declared.has(`${u.functionName}:${u.qualifier}`)) urls.delete(u.functionName, u.qualifier);
  }
}

async function apply(endpoint: string, a: Exclude<TemplateAction, { kind: "function-url" }>): Promise<void> {
  if (a.kind === "rule") {
    await events(endpoint, "PutRule", { Name: a.name, ...a.rule });
    await events(endpoint, "PutTargets", { Rule: a.name, EventBusName: a.rule.EventBusName, Targets: a.targets });
    return;
  }
  if (a.kind === "event-bus") {
    // Kept from the last run (the state directory): already there is fine.
    await events(endpoint, "CreateEventBus", { Name: a.name, Description: a.description }).catch((e: Error) => {
      if (!e.message.startsWith("ResourceAlreadyExistsException")) throw e;
    });
    return;
  }
  if (a.kind === "mapping") {
    // Created, or updated to match the template when a start on the same state made it already
    // (as lambda-sim.yaml's mappings are): one mapping per source and qualified function, as on AWS.
    const query = new URLSearchParams({ EventSourceArn: String(a.input.EventSourceArn), FunctionName: String(a.input.FunctionName) });
    const listed = (await lambda(endpoint, "GET", `/2015-03-31/event-source-mappings/?${query}`, undefined)) as { EventSourceMappings?: { UUID: string }[] };
    const existing = listed.EventSourceMappings?.[0];
    if (existing === undefined) await lambda(endpoint, "POST", "/2015-03-31/event-source-mappings/", a.input);
    else {
      // UpdateEventSourceMapping takes neither the source nor the starting position.
      const { EventSourceArn: _source, StartingPosition: _position, StartingPositionTimestamp: _timestamp, ...update } = a.input;
      await lambda(endpoint, "PUT", `/2015-03-31/event-source-mappings/${existing.UUID}`, update);
    }
    return;
  }
  if (a.kind === "schedule-group") {
    await createScheduleGroup(endpoint, a.name);
    // The template's Tags replace the group's, as a CloudFormation update does: a tag taken out of
    // the template goes, on a restart on the same state (review19 R19-9).
    const tags = `/tags/${encodeURIComponent(a.arn)}`;
    const current = ((await rest(endpoint, "GET", tags, undefined)) as { Tags?: { Key: string }[] }).Tags ?? [];
    const gone = current.map((t) => t.Key).filter((k) => !a.tags.some((t) => t.Key === k));
    if (gone.length > 0) await rest(endpoint, "DELETE", `${tags}?${gone.map((k) => `TagKeys=${encodeURIComponent(k)}`).join("&")}`, undefined);
    if (a.tags.length > 0) await rest(endpoint, "POST", tags, { Tags: a.tags });
    return;
  }
  if (a.kind === "schedule") {
    // Created, or replaced by the template's when a start on the same state made it already (as
    // lambda-sim.yaml's schedules are); UpdateSchedule keeps a rate schedule's anchor when its
    // expression and StartDate are unchanged.
    // Its group made first, as the schedules source makes a declared schedule's (review19 R19-2).
    if (a.group !== "default") await createScheduleGroup(endpoint, a.group);
    const path = `/schedules/${encodeURIComponent(a.name)}`;
    const existing = await rest(endpoint, "GET", `${path}?groupName=${encodeURIComponent(a.group)}`, undefined, true);
    // Marked as the template's (not made by hand), so a later start without it removes it.
    await rest(endpoint, existing === undefined ? "POST" : "PUT", path, a.input, false, { "x-lambda-sim-declared": "template" });
    return;
  }
  const fn = encodeURIComponent(a.functionName);
  if (a.kind === "event-invoke-config") {
    await lambda(endpoint, "PUT", `/2019-09-25/functions/${fn}/event-invoke-config?Qualifier=${encodeURIComponent(a.qualifier)}`, a.config);
    return;
  }
  if (a.kind === "publish") {
    const v = await publish(endpoint, fn, a.description);
    if (a.provisioned !== undefined) await lambda(endpoint, "PUT", `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${v}`, { ProvisionedConcurrentExecutions: a.provisioned });
    return;
  }
  if (a.kind === "alias") {
    await provisionAlias(endpoint, fn, a.alias, a.provisioned, () => upsertAlias(endpoint, fn, a.alias, a.version, a.routingConfig));
    return;
  }
  // AutoPublishAlias: SAM names its version resource after a hash of the code and configuration, so
  // a re-deploy of an unchanged function creates no version and leaves the alias (CloudFormation
  // updates nothing). Here the alias's own version stands for it, when $LATEST (the template's
  // function, applied again at start) still equals it; PublishVersion would compare with the
  // last version instead, which a user may have published out of band since.
  const kept = await aliasVersionIfUnchanged(endpoint, fn, a.alias);
  await provisionAlias(endpoint, fn, a.alias, a.provisioned, async () => {
    if (kept === undefined) await upsertAlias(endpoint, fn, a.alias, await publish(endpoint, fn, a.description));
  });
}

/**
 * An alias saved with `move` and given `provisioned` environments. A config already on the alias
 * follows it to its new version, and while its environments start there AWS refuses a Put on the
 * alias (its RoutingConfig then has weights): so a changed count is put before the move, and the
 * same count not again (a PUT would start its environments again); a new config goes on after.
 */
async function provisionAlias(endpoint: string, fn: string, alias: string, provisioned: number | undefined, move: () => Promise<void>): Promise<void> {
  if (provisioned === undefined) return move();
  const path = `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${encodeURIComponent(alias)}`;
  const current = (await lambda(endpoint, "GET", path, undefined, true)) as { RequestedProvisionedConcurrentExecutions?: number } | undefined;
  const put = () => lambda(endpoint, "PUT", path, { ProvisionedConcurrentExecutions: provisioned });
  if (current !== undefined && current.RequestedProvisionedConcurrentExecutions !== provisioned) await put();
  await move();
  if (current === undefined) await put();
}

/** Fields of GetFunctionConfiguration that differ between $LATEST and a version of the same code and configuration. */
const PER_VERSION = ["Version", "FunctionArn", "RevisionId", "LastModified", "Description", "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"];

/** The version alias `name` points to, when its code and configuration are $LATEST's; else undefined. */
async function aliasVersionIfUnchanged(endpoint: string, fn: string, name: string): Promise<string | undefined> {
  const alias = (await lambda(endpoint, "GET", `/2015-03-31/functions/${fn}/aliases/${encodeURIComponent(name)}`, undefined, true)) as { FunctionVersion?: string; RoutingConfig?: unknown } | undefined;
  const version = alias?.FunctionVersion;
  if (version === undefined || version === "$LATEST" || alias?.RoutingConfig !== undefined) return undefined;
  const [latest, published] = await Promise.all(["$LATEST", version].map((q) => lambda(endpoint, "GET", `/2015-03-31/functions/${fn}/configuration?Qualifier=${encodeURIComponent(q)}`, undefined) as Promise<Record<string, unknown>>));
  const same = (c: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(c).filter(([k]) => !PER_VERSION.includes(k)).sort(([x], [y]) => binaryOrder(x, y))));
  return same(latest!) === same(published!) ? version : undefined;
}

/** CreateScheduleGroup; kept from the last run, or made for a schedule of the template already: there is fine. */
async function createScheduleGroup(endpoint: string, name: string): Promise<void> {
  await rest(endpoint, "POST", `/schedule-groups/${encodeURIComponent(name)}`, {}).catch((e: Error) => {
    if (!e.message.startsWith("ConflictException")) throw e;
  });
}

async function publish(endpoint: string, fn: string, description: string | undefined): Promise<string> {
  // PublishVersion answers with the latest version when nothing changed since (as on AWS), so a
  // restart does not pile up versions.
  const version = (await lambda(endpoint, "POST", `/2015-03-31/functions/${fn}/versions`, description === undefined ? {} : { Description: description })) as { Version: string };
  return version.Version;
}

async function upsertAlias(endpoint: string, fn: string, name: string, version: string, routingConfig?: unknown): Promise<void> {
  const alias = encodeURIComponent(name);
  const existing = await lambda(endpoint, "GET", `/2015-03-31/functions/${fn}/aliases/${alias}`, undefined, true);
  const body = { FunctionVersion: version, ...(routingConfig === undefined ? {} : { RoutingConfig: routingConfig }) };
  if (existing === undefined) await lambda(endpoint, "POST", `/2015-03-31/functions/${fn}/aliases`, { Name: name, ...body });
  else await lambda(endpoint, "PUT", `/2015-03-31/functions/${fn}/aliases/${alias}`, body);
}

/** A REST-JSON call (Lambda's, Scheduler's: the router tells them apart by path). */
async function rest(endpoint: string, method: string, path: string, body: unknown, notFoundOk = false, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(endpoint + path, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (notFoundOk && res.status === 404) return undefined;
  if (!res.ok) throw awsError(res, text);
  return text === "" ? {} : JSON.parse(text);
}

const lambda = rest;

async function events(endpoint: string, operation: string, body: unknown): Promise<unknown> {
  const res = await fetch(endpoint + "/", { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSEvents.${operation}` }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw awsError(res, text);
  return JSON.parse(text);
}

/** An AWS error answer: `Code: message`, the message alone in `detail`. */
class ApiError extends Error {
  readonly detail: string;
  constructor(code: string, detail: string) {
    super(`${code}: ${detail}`);
    this.detail = detail;
  }
}

function awsError(res: Response, text: string): ApiError {
  try {
    const b = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    const code = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? b.__type?.split("#").at(-1);
    return new ApiError(code ?? String(res.status), b.message ?? b.Message ?? text);
  } catch {
    return new ApiError(String(res.status), text);
  }
}
