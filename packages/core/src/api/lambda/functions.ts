import type { CodeLocations } from "./code-locations.ts";
import { FUNCTION_DEFAULTS } from "../../config/function-definition.ts";
import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { qualifiedFunctionName, unqualifiedFunctionName } from "../../registry/function-names.ts";
import { SIM_DEFAULTS } from "../../registry/function-registry.ts";
import type { FunctionLayer, FunctionVersionConfig } from "../../registry/function-model.ts";
import { checkTags, type LambdaTags } from "../../registry/lambda-tags.ts";
import { MAX_UNZIPPED_BYTES, type StoredCode } from "../../registry/code-store.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import { functionConfiguration } from "./shapes.ts";
import { FUNCTION_NAME, matches } from "./validation.ts";
import { validateConfiguration, type ConfigurationInput } from "./configuration-input.ts";
import { LIST_LIMITS, page, versionPosition } from "./pagination.ts";
import { versionAndAliasRoutes, type AliasMoveCheck } from "./versions-aliases.ts";

const P = "/2015-03-31/functions";

interface CreateInput extends ConfigurationInput {
  FunctionName?: string;
  Code?: { ZipFile?: string; S3Bucket?: string; ImageUri?: string };
  Publish?: boolean;
  PackageType?: string;
  Tags?: Record<string, string>;
}

/** The Lambda control-plane operations on functions (REST-JSON, botocore lambda 2015-03-31). */
export function lambdaControlRoutes(registry: FunctionRegistry, tags: LambdaTags, locations: CodeLocations, aliasMoves?: AliasMoveCheck): RestRoute[] {
  const qualifier = (req: RestRequest) => req.query.get("Qualifier") ?? undefined;
  return [
    { method: "POST", path: P, operation: "CreateFunction", handler: (req) => createFunction(registry, tags, jsonBody<CreateInput>(req)) },
    // The model's path is `/functions/`; SDKs send it with or without the slash.
    ...[P, `${P}/`].map((path) => ({
      method: "GET",
      path,
      operation: "ListFunctions",
      handler: (req: RestRequest) => {
        const all = req.query.get("FunctionVersion") === "ALL";
        const configs = registry.list().flatMap((r) => (all ? [r.latest, ...r.versions.values()] : [r.latest]));
        // By name, then $LATEST and its versions (FunctionVersion=ALL).
        return page(configs, req, "Functions", { ...LIST_LIMITS.ListFunctions, position: (c) => [c.functionName, versionPosition(c.version)] }, (c) => functionConfiguration(c, statusOf(registry, c)));
      },
    })),
    {
      method: "GET",
      path: `${P}/{FunctionName}`,
      operation: "GetFunction",
      handler: (req) => {
        const config = configFor(registry, req.params.FunctionName!, qualifier(req));
        const reserved = registry.get(config.functionName).reservedConcurrency;
        const body: Record<string, unknown> = { Configuration: functionConfiguration(config, statusOf(registry, config)), Code: { RepositoryType: "S3", Location: locations.functionLocation(config) } };
        if (reserved !== undefined) body.Concurrency = { ReservedConcurrentExecutions: reserved };
        // The function's tags, whichever version or alias is asked for; none: no Tags member (as AWS answers).
        const functionTags = tags.get("function", config.functionName);
        if (Object.keys(functionTags).length > 0) body.Tags = functionTags;
        return { body };
      },
    },
    {
      method: "GET",
      path: `${P}/{FunctionName}/configuration`,
      operation: "GetFunctionConfiguration",
      handler: (req) => {
        const config = configFor(registry, req.params.FunctionName!, qualifier(req));
        return { body: functionConfiguration(config, statusOf(registry, config)) };
      },
    },
    {
      method: "PUT",
      path: `${P}/{FunctionName}/configuration`,
      operation: "UpdateFunctionConfiguration",
      handler: (req) => {
        const input = jsonBody<ConfigurationInput>(req);
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "UpdateFunctionConfiguration"));
        registry.transitions.check(rec.name, "UpdateFunctionConfiguration", registry.arn(rec.name));
        checkRevision(rec.latest, input.RevisionId);
        const patch = validateConfiguration(input, rec.latest.runtime, rec.name, rec.latest);
        if (input.Layers !== undefined) Object.assign(patch, layersOf(registry, input.Layers, rec.latest.codeDir));
        const config = registry.updateLatest(rec.name, patch, "configuration");
        registry.transitions.updated(rec.name);
        return { body: functionConfiguration(config, statusOf(registry, config)) };
      },
    },
    {
      method: "PUT",
      path: `${P}/{FunctionName}/code`,
      operation: "UpdateFunctionCode",
      handler: async (req) => {
        const input = jsonBody<{ ZipFile?: string; Publish?: boolean; RevisionId?: string; S3Bucket?: string; ImageUri?: string }>(req);
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "UpdateFunctionCode"));
        registry.transitions.check(rec.name, "UpdateFunctionCode", registry.arn(rec.name));
        checkRevision(rec.latest, input.RevisionId);
        const code = await registry.code.unpack(rec.name, zipFrom(input));
        try {
          // Unpacking took a while: another update that came meanwhile may have landed (a
          // RevisionId taken before it is stale now; under functionStates the function is
          // InProgress), or the function gone. Checked again, as one atomic update would be.
          const now = registry.get(rec.name);
          registry.transitions.check(now.name, "UpdateFunctionCode", registry.arn(now.name));
          checkRevision(now.latest, input.RevisionId);
          if (now.latest.layers !== undefined) checkCombinedSize(registry.code.unzippedSize(code.codeDir), now.latest.layers);
          let config = registry.updateLatest(rec.name, { ...code }, "code");
          if (input.Publish) config = registry.publish(rec.name, undefined);
          registry.transitions.updated(rec.name);
          return { body: functionConfiguration(config, statusOf(registry, config)) };
        } finally {
          // Refused after all: the package unpacked for it goes.
          registry.code.release(code.codeDir);
        }
      },
    },
    {
      method: "DELETE",
      path: `${P}/{FunctionName}`,
      operation: "DeleteFunction",
      handler: (req) => {
        // `fn:1` deletes version 1, as `?Qualifier=1` does, never the whole function.
        const { qualifier: q } = qualifiedFunctionName(req.params.FunctionName!, qualifier(req));
        const rec = registry.get(req.params.FunctionName!);
        // AWS's message as LocalStack's provider and other emulators reproduce it (not in the API reference).
        if (q === "$LATEST") throw lambdaErrors.invalidParameterValue("$LATEST version cannot be deleted without deleting the function.");
        // An alias (any qualifier not a version number, there or not): AWS refuses, as measured by
        // floci-io/floci's DeleteFunction qualifier tests and LocalStack's provider; DeleteAlias deletes one.
        if (q !== undefined && !/^[0-9]+$/.test(q)) throw lambdaErrors.invalidParameterValue("Deletion of aliases is not currently supported.");
        if (q === undefined) registry.delete(rec.name);
        else if (rec.versions.has(q)) {
          // "You can't delete a version that an alias references" (DeleteFunction API reference);
          // AWS's 409 as users quote it (go-lambda-cleanup#45, cloud-custodian#6739).
          const aliases = [...rec.aliases.values()].filter((a) => a.functionVersion === q || a.additionalVersionWeights?.[q] !== undefined).map((a) => a.name);
          if (aliases.length > 0) throw lambdaErrors.resourceConflict(`Unable to delete version because the following aliases reference it: [${aliases.join(", ")}]`);
          registry.deleteVersion(rec.name, q);
        }
        // A version that does not exist: 204 and nothing done, as measured on AWS (floci-io/floci#2824).
        return { status: 204 };
      },
    },
    ...versionAndAliasRoutes(registry, aliasMoves),
  ];
}

async function createFunction(registry: FunctionRegistry, tags: LambdaTags, input: CreateInput) {
  const name = matches(input.FunctionName, "functionName", FUNCTION_NAME, "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", 64);
  if (input.PackageType === "Image" || input.Code?.ImageUri) {
    throw lambdaErrors.invalidParameterValue("lambda-sim does not run container images; upload a .zip with Code.ZipFile.");
  }
  if (input.Runtime === undefined) throw lambdaErrors.invalidParameterValue("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  const patch = validateConfiguration(input, input.Runtime, name);
  const functionTags = checkTags(input.Tags);
  if (registry.has(name)) throw lambdaErrors.resourceConflict(`Function already exist: ${name}`);
  const code = await registry.code.unpack(name, zipFrom(input.Code ?? {}));
  try {
    return createUnpacked(registry, tags, input, name, input.Runtime, patch, functionTags, code);
  } finally {
    // Refused after all (a layer that does not exist, a name taken meanwhile): the package unpacked for it goes.
    registry.code.release(code.codeDir);
  }
}

/** CreateFunction once its package is unpacked: the layers' checks, then the function. */
function createUnpacked(registry: FunctionRegistry, tags: LambdaTags, input: CreateInput, name: string, runtime: string, patch: Partial<FunctionVersionConfig>, functionTags: Record<string, string>, code: StoredCode) {
  const layers = input.Layers === undefined || input.Layers.length === 0 ? {} : layersOf(registry, input.Layers, code.codeDir);
  if (registry.has(name)) throw lambdaErrors.resourceConflict(`Function already exist: ${name}`);
  const config: FunctionVersionConfig = {
    functionName: name,
    functionArn: registry.arn(name),
    version: "$LATEST",
    runtime,
    handler: "",
    role: input.Role ?? "",
    description: "",
    memorySize: FUNCTION_DEFAULTS.memorySize,
    timeout: FUNCTION_DEFAULTS.timeout,
    ephemeralStorageSize: FUNCTION_DEFAULTS.ephemeralStorageSize,
    environment: {},
    architectures: ["x86_64"],
    ...patch,
    ...code,
    ...layers,
    lastModified: registry.now(),
    revisionId: registry.newRevisionId(),
    sim: { ...SIM_DEFAULTS },
  };
  registry.create(config, "api");
  if (Object.keys(functionTags).length > 0) tags.tag("function", name, functionTags);
  const shown = input.Publish ? registry.publish(name, undefined) : config;
  registry.transitions.created(name);
  // Pending in the answer whatever the window (aws-facts §3 "New functions").
  return { status: 201, body: functionConfiguration(shown, { state: "Pending" }) };
}

/** `Layers`: AWS's checks (layer-registry.ts), with the unpacked function code counted in the 250 MB. */
function layersOf(registry: FunctionRegistry, arns: string[], codeDir: string): Pick<FunctionVersionConfig, "layers" | "optDir"> {
  const { layers, optDir } = registry.layers.resolve(arns, registry.code.unzippedSize(codeDir));
  return layers.length === 0 ? { layers: undefined, optDir: undefined } : { layers, optDir };
}

function checkCombinedSize(codeBytes: number, layers: FunctionLayer[]): void {
  const total = codeBytes + layers.reduce((n, l) => n + l.unzippedSize, 0);
  if (total > MAX_UNZIPPED_BYTES) {
    throw lambdaErrors.invalidParameterValue(`Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. The actual size is ${total} bytes.`);
  }
}

function zipFrom(code: { ZipFile?: string; S3Bucket?: string; ImageUri?: string }): Buffer {
  if (code.S3Bucket !== undefined) throw lambdaErrors.invalidParameterValue("lambda-sim does not read code from S3; upload it with ZipFile.");
  if (code.ImageUri !== undefined) throw lambdaErrors.invalidParameterValue("lambda-sim does not run container images; upload a .zip with ZipFile.");
  if (typeof code.ZipFile !== "string" || code.ZipFile === "") throw lambdaErrors.invalidParameterValue("Please provide a source for function code.");
  return Buffer.from(code.ZipFile, "base64");
}

function checkRevision(config: FunctionVersionConfig, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== config.revisionId) {
    throw new AwsError("PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
  }
}

/** The configuration FunctionName (`fn`, `fn:live`, an ARN) and `?Qualifier=` name together. */
export function configFor(registry: FunctionRegistry, functionName: string, query: string | undefined): FunctionVersionConfig {
  const { name, qualifier } = qualifiedFunctionName(functionName, query);
  // A qualified name of a missing function: "Function not found: <arn>:<qualifier>" (LocalStack's provider).
  if (!registry.has(name) && qualifier !== undefined) throw lambdaErrors.functionNotFound(`${registry.arn(name)}:${qualifier}`);
  const rec = registry.get(name);
  if (qualifier === undefined || qualifier === "$LATEST") return rec.latest;
  const version = rec.versions.get(qualifier);
  if (version !== undefined) return version;
  const alias = rec.aliases.get(qualifier);
  const target = alias === undefined ? undefined : alias.functionVersion === "$LATEST" ? rec.latest : rec.versions.get(alias.functionVersion);
  if (target === undefined) throw lambdaErrors.functionNotFound(`${registry.arn(rec.name)}:${qualifier}`);
  return target;
}

/** $LATEST's Pending / InProgress while its window lasts (function-transitions.ts); versions are always Active. */
export function statusOf(registry: FunctionRegistry, c: FunctionVersionConfig) {
  return c.version === "$LATEST" ? registry.transitions.status(c.functionName) : undefined;
}
