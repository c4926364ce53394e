/**
 * What a template declares that lambda-sim.yaml has no key for: EventBridge buses, rules and
 * their targets, versions published by AutoPublishAlias or AWS::Lambda::Version, aliases, and
 * provisioned concurrency. They are applied once the simulator listens, through its own AWS APIs
 * (the requests `aws events put-rule` or `aws lambda publish-version` would send), so they get the
 * API's validation and errors and change nothing downstream.
 */
export type TemplateAction =
  | { kind: "rule"; logicalId: string; name: string; rule: Record<string, unknown>; targets: Record<string, unknown>[] }
  | { kind: "event-bus"; logicalId: string; name: string; description?: string }
  | { kind: "publish-alias"; logicalId: string; functionName: string; alias: string; description?: string; provisioned?: number }
  | { kind: "event-invoke-config"; logicalId: string; functionName: string; qualifier: string; config: Record<string, unknown> }
  | { kind: "publish"; logicalId: string; functionName: string; description?: string; provisioned?: number }
  | { kind: "alias"; logicalId: string; functionName: string; alias: string; version: string; routingConfig?: unknown; provisioned?: number };

/** Applies every action in order; each failure is one line naming the logical id. */
export async function applyTemplateActions(endpoint: string, file: string, actions: readonly TemplateAction[]): Promise<string[]> {
  const problems: string[] = [];
  for (const a of actions) {
    try {
      await apply(endpoint, a);
    } catch (e) {
      problems.push(`${file}: Resources.${a.logicalId}: ${(e as Error).message}`);
    }
  }
  return problems;
}

async function apply(endpoint: string, a: TemplateAction): Promise<void> {
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
    await upsertAlias(endpoint, fn, a.alias, a.version, a.routingConfig);
    if (a.provisioned !== undefined) await lambda(endpoint, "PUT", `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${encodeURIComponent(a.alias)}`, { ProvisionedConcurrentExecutions: a.provisioned });
    return;
  }
  // AutoPublishAlias: SAM names its version resource after a hash of the code and configuration, so
  // a re-deploy of an unchanged function creates no version and leaves the alias (CloudFormation
  // updates nothing). Here the alias's own version stands for it, when $LATEST (the template's
  // function, applied again at start) still equals it; PublishVersion would compare with the
  // last version instead, which a user may have published out of band since.
  const kept = await aliasVersionIfUnchanged(endpoint, fn, a.alias);
  if (kept === undefined) await upsertAlias(endpoint, fn, a.alias, await publish(endpoint, fn, a.description));
  if (a.provisioned !== undefined) {
    const qualifier = encodeURIComponent(a.alias);
    const current = kept === undefined ? undefined : ((await lambda(endpoint, "GET", `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${qualifier}`, undefined, true)) as { RequestedProvisionedConcurrentExecutions?: number } | undefined);
    // The same setting on the same version: nothing to do (a PUT would start its environments again).
    if (current?.RequestedProvisionedConcurrentExecutions !== a.provisioned) {
      await lambda(endpoint, "PUT", `/2019-09-30/functions/${fn}/provisioned-concurrency?Qualifier=${qualifier}`, { ProvisionedConcurrentExecutions: a.provisioned });
    }
  }
}

/** Fields of GetFunctionConfiguration that differ between $LATEST and a version of the same code and configuration. */
const PER_VERSION = ["Version", "FunctionArn", "RevisionId", "LastModified", "Description", "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"];

/** The version alias `name` points to, when its code and configuration are $LATEST's; else undefined. */
async function aliasVersionIfUnchanged(endpoint: string, fn: string, name: string): Promise<string | undefined> {
  const alias = (await lambda(endpoint, "GET", `/2015-03-31/functions/${fn}/aliases/${encodeURIComponent(name)}`, undefined, true)) as { FunctionVersion?: string; RoutingConfig?: unknown } | undefined;
  const version = alias?.FunctionVersion;
  if (version === undefined || version === "$LATEST" || alias?.RoutingConfig !== undefined) return undefined;
  const [latest, published] = await Promise.all(["$LATEST", version].map((q) => lambda(endpoint, "GET", `/2015-03-31/functions/${fn}/configuration?Qualifier=${encodeURIComponent(q)}`, undefined) as Promise<Record<string, unknown>>));
  const same = (c: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(c).filter(([k]) => !PER_VERSION.includes(k)).sort(([x], [y]) => x.localeCompare(y))));
  return same(latest!) === same(published!) ? version : undefined;
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

async function lambda(endpoint: string, method: string, path: string, body: unknown, notFoundOk = false): Promise<unknown> {
  const res = await fetch(endpoint + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (notFoundOk && res.status === 404) return undefined;
  if (!res.ok) throw new Error(awsMessage(res, text));
  return text === "" ? {} : JSON.parse(text);
}

async function events(endpoint: string, operation: string, body: unknown): Promise<unknown> {
  const res = await fetch(endpoint + "/", { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSEvents.${operation}` }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(awsMessage(res, text));
  return JSON.parse(text);
}

function awsMessage(res: Response, text: string): string {
  try {
    const b = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    const code = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? b.__type?.split("#").at(-1);
    return `${code ?? res.status}: ${b.message ?? b.Message ?? text}`;
  } catch {
    return `${res.status}: ${text}`;
  }
}
