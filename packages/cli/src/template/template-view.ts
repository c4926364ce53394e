import { functionUrlAddress, type Simulator } from "@lambda-sim/core";
import type { ApiView } from "@lambda-sim/sources";
import type { CreatedResource } from "./created-resources.ts";
import type { TemplateSummary } from "./load-template.ts";

/** One resource as `GET /_sim/template` answers it: what the template made, plus what only the running simulator knows. */
export type ResourceView = CreatedResource & {
  /** An API's stages (path-form and host-form base addresses). */
  stages?: { stage: string; url: string; hostUrl: string }[];
  /** A Function URL's host-form address (`url` is the path form, as for APIs: reachable without DNS). */
  hostUrl?: string;
  /** A layer's version published at start; an alias's version. */
  version?: string;
};

/**
 * `GET /_sim/template`: the template's file and stack, `names` (its functions, queues, streams,
 * topics and buses by logical id, as before: tail, invoke and faults read it), and `resources`:
 * every logical id lambda-sim created something for, SAM's generated ones included (the implicit
 * `ServerlessHttpApi`, `<Function>Url`, `<Function>Alias<alias>`, `<Function><Event>`), with its
 * name, ARN and address; then `outputs`, the template's Outputs as resolved. Read at each request,
 * so a test script finds an API's address, a URL or a layer version here rather than in stdout.
 */
export function templateView(sim: Simulator, summary: TemplateSummary) {
  const apis = sim.hub.view("apis");
  const apiList = Array.isArray(apis) ? (apis as ApiView[]) : [];
  const urls = sim.functionUrls.all();
  const resources: Record<string, ResourceView> = {};
  for (const [id, r] of Object.entries(summary.created)) {
    const out: ResourceView = { ...r };
    switch (r.type) {
      case "AWS::Serverless::Api":
      case "AWS::Serverless::HttpApi":
      case "AWS::ApiGateway::RestApi": {
        const api = apiList.find((a) => a.name === id);
        if (api !== undefined) Object.assign(out, { name: api.id, url: api.stages[0]?.url, hostUrl: api.stages[0]?.hostUrl, stages: api.stages });
        break;
      }
      case "AWS::Lambda::Url": {
        const u = urls.find((x) => x.functionName === r.functionName && x.qualifier === r.qualifier);
        if (u !== undefined) Object.assign(out, { url: `${sim.endpoint}/_aws/lambda-url/${u.urlId}/`, hostUrl: functionUrlAddress(u.urlId, sim.registry.region, sim.endpoint) });
        break;
      }
      case "AWS::Serverless::LayerVersion":
      case "AWS::Lambda::LayerVersion": {
        const latest = r.name === undefined ? undefined : sim.registry.layers.versions(r.name)[0];
        if (latest !== undefined) Object.assign(out, { arn: sim.registry.layers.versionArn(latest.name, latest.version), version: String(latest.version) });
        break;
      }
      case "AWS::Lambda::Alias": {
        const fn = r.functionName?.replace(/^arn:.*:function:/, "");
        const alias = fn !== undefined && r.name !== undefined && sim.registry.has(fn) ? sim.registry.get(fn).aliases.get(r.name) : undefined;
        if (alias !== undefined) out.version = alias.functionVersion;
        break;
      }
    }
    resources[id] = out;
  }
  return { file: summary.file, stackName: summary.stackName, names: summary.names, resources, outputs: summary.outputs };
}
