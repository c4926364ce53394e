import { existsSync } from "node:fs";
import { join } from "node:path";
import { EntryPointError, esbuildFunction, typescriptOnlyHandler } from "../config/esbuild-function.ts";
import { codeDirectory, type CodePlace } from "./function-code.ts";
import { TemplateError } from "./intrinsics.ts";
import { functionEvents } from "./function-events.ts";
import { withCreatedDestinations } from "./sam-generated-queues.ts";
import type { TemplateStack } from "./template-stack.ts";
import { defined, eventInvokeConfigInput, num, tagMap, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** Properties accepted and not acted on (no effect lambda-sim can show, or IAM). */
const ACCEPTED = new Set(["Role", "Policies", "PermissionsBoundary", "RolePath", "AssumeRolePolicyDocument", "Tracing", "TracingConfig", "PropagateTags", "KmsKeyArn", "VpcConfig", "Metadata", "CodeSigningConfigArn", "RuntimeManagementConfig", "SnapStart", "DeploymentPreference", "AutoPublishCodeSha256", "AutoPublishAliasAllProperties", "VersionDescription", "VersionPruningPolicy", "PackageType", "FileSystemConfigs", "SourceKMSKeyArn", "Description", "CapacityProviderConfig", "FunctionScalingConfig", "DurableConfig", "PublishToLatestPublished", "TenancyConfig", "ImageConfig"]);

/**
 * `AWS::Serverless::Function` and `AWS::Lambda::Function` as a lambda-sim.yaml `functions:` entry
 * (CreateFunction's parameters); a serverless function's Events become mappings, schedules and
 * rules; AutoPublishAlias and ProvisionedConcurrencyConfig are applied through the Lambda API.
 */
export async function translateFunction(t: Translation, stack: TemplateStack, id: string, type: string, p: Props, place: CodePlace): Promise<void> {
  const serverless = type === "AWS::Serverless::Function";
  const base = ["Resources", id, "Properties"];
  const name = stack.identity(id, base).name;
  if (p.PackageType === "Image" || p.ImageUri !== undefined || (p.Code as Props | undefined)?.ImageUri !== undefined) {
    throw new TemplateError([...base, "PackageType"], "container images are not simulated: lambda-sim runs zip and folder code");
  }
  const code = { ...(serverless ? { uri: p.CodeUri, inline: p.InlineCode } : lambdaCode(p.Code, [...base, "Code"])), runtime: p.Runtime };
  const codePath = serverless ? [...base, p.InlineCode !== undefined ? "InlineCode" : "CodeUri"] : [...base, "Code"];
  const sourceDir = await codeDirectory(id, code, place, codePath);
  const metadata = stack.resolver.resolve(stack.resources[id]!.Metadata ?? {}, ["Resources", id, "Metadata"]) as Props;
  const codeUri = metadata.BuildMethod === "esbuild" ? await buildFunction(id, sourceDir, p.Handler, metadata.BuildProperties, join(place.codeRoot, "build", id)) : sourceDir;
  if (metadata.BuildMethod !== undefined && metadata.BuildMethod !== "esbuild") t.notSimulated.push(`${id} (BuildMethod ${String(metadata.BuildMethod)}: code used as it is)`);
  // sam build pip-installs a Python function's requirements by default: here the machine's python3 packages are what it imports.
  else if (String(p.Runtime).startsWith("python") && existsSync(join(sourceDir, "requirements.txt"))) t.notSimulated.push(`${id} (requirements.txt not installed; sam build would install its dependencies)`);
  const ts = metadata.BuildMethod === undefined && String(p.Runtime).startsWith("nodejs") && typeof p.Handler === "string" ? typescriptOnlyHandler(sourceDir, p.Handler) : undefined;
  if (ts !== undefined) {
    // Lambda's Node.js runtimes load JavaScript only ("Building Lambda functions with TypeScript").
    throw new TemplateError([...base, "Handler"], `${p.Handler} is in ${ts}, TypeScript, which Lambda's Node.js runtimes do not load: add Metadata: { BuildMethod: esbuild } to build it as sam build does`);
  }
  const env = (p.Environment as Props | undefined)?.Variables;
  // The queue or topic SAM creates for a destination of Type SQS or SNS that names none.
  const invokeConfig = serverless ? withCreatedDestinations(stack, id, p.EventInvokeConfig, [...base, "EventInvokeConfig"]) : undefined;
  const dlq = serverless ? (p.DeadLetterQueue as Props | undefined)?.TargetArn : (p.DeadLetterConfig as Props | undefined)?.TargetArn;
  const entry: Record<string, unknown> = defined({
    runtime: p.Runtime,
    handler: p.Handler,
    codeUri,
    description: p.Description,
    role: typeof p.Role === "string" ? p.Role : undefined,
    memorySize: num(p.MemorySize),
    timeout: num(p.Timeout),
    ephemeralStorage: p.EphemeralStorage === undefined ? undefined : { size: num((p.EphemeralStorage as Props).Size) },
    environment: env,
    architectures: p.Architectures,
    deadLetterConfig: dlq === undefined ? undefined : { targetArn: dlq },
    loggingConfig: loggingConfig(p.LoggingConfig),
    reservedConcurrency: num(p.ReservedConcurrentExecutions),
    recursiveLoop: p.RecursiveLoop as "Allow" | "Terminate" | undefined,
    tags: functionTags(serverless, p.Tags),
    eventInvokeConfig: serverless ? eventInvokeConfig(invokeConfig) : undefined,
    // `!Ref` of a template's layer gives its layer ARN: the latest version at start (resource-identity.ts).
    layers: p.Layers,
  });
  if (t.config.functions[name] !== undefined) throw new TemplateError(base, `function name ${name} is used twice`);
  t.config.functions[name] = entry;
  t.origins.push({
    native: ["functions", name],
    template: base,
    keys: { codeUri: codePath.at(-1)!, environment: "Environment.Variables", reservedConcurrency: "ReservedConcurrentExecutions", recursiveLoop: "RecursiveLoop", deadLetterConfig: serverless ? "DeadLetterQueue" : "DeadLetterConfig", role: "Role", ephemeralStorage: "EphemeralStorage", loggingConfig: "LoggingConfig" },
  });
  t.said(id, `function ${name} (${String(p.Runtime)}, ${String(p.Handler ?? "bootstrap")}${codeUri !== sourceDir ? ", built with esbuild" : ""})`);
  if (!serverless) return;

  if (p.Policies !== undefined) t.iam.push(`${id}.Policies`);
  if (p.FunctionUrlConfig !== undefined) {
    entry.functionUrl = { ...(functionUrl(p.FunctionUrlConfig) as Props), urlId: stack.functionUrlId(id) };
    t.said(`${id}Url`, `function URL for ${name} (${String((p.FunctionUrlConfig as Props).AuthType)}, printed below)`);
    // SAM's AWS::Lambda::Url is on the AutoPublishAlias when there is one.
    t.created[`${id}Url`] = { type: "AWS::Lambda::Url", functionName: name, qualifier: typeof p.AutoPublishAlias === "string" ? p.AutoPublishAlias : undefined };
  }
  const alias = p.AutoPublishAlias;
  if (alias !== undefined) {
    if (typeof alias !== "string" || !/^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/.test(alias)) throw new TemplateError([...base, "AutoPublishAlias"], "expected an alias name of letters, digits, - and _ (not only digits)");
    const pc = p.ProvisionedConcurrencyConfig as Props | undefined;
    const provisioned = pc === undefined ? undefined : num(pc.ProvisionedConcurrentExecutions);
    if (pc !== undefined && (typeof provisioned !== "number" || !Number.isInteger(provisioned) || provisioned < 1)) {
      throw new TemplateError([...base, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions"], "expected a whole number ≥ 1");
    }
    t.actions.push({ kind: "publish-alias", functionName: name, alias, description: typeof p.VersionDescription === "string" ? p.VersionDescription : undefined, provisioned: provisioned as number | undefined, logicalId: id });
    t.said(`${id}Alias${alias}`, `alias ${name}:${alias} on a version published at start${provisioned === undefined ? "" : `, ${provisioned} provisioned environments`}`);
    t.created[`${id}Alias${alias}`] = { type: "AWS::Lambda::Alias", name: alias, arn: `${stack.identity(id, base).attributes.Arn!}:${alias}`, functionName: name };
    if (entry.eventInvokeConfig !== undefined) {
      // SAM's EventInvokeConfig of a function with an alias is the alias's (Qualifier: the alias),
      // which its asynchronous event sources invoke; $LATEST keeps none.
      delete entry.eventInvokeConfig;
      t.actions.push({ kind: "event-invoke-config", logicalId: `${id}.Properties.EventInvokeConfig`, functionName: name, qualifier: alias, config: eventInvokeConfigInput(invokeConfig as Props) });
    }
  } else if (p.ProvisionedConcurrencyConfig !== undefined) {
    // SAM: "ProvisionedConcurrencyConfig ... requires AutoPublishAlias".
    throw new TemplateError([...base, "ProvisionedConcurrencyConfig"], "ProvisionedConcurrencyConfig needs AutoPublishAlias (provisioned concurrency applies to a version or alias)");
  }
  for (const key of Object.keys(p)) {
    if (!KNOWN.has(key) && !ACCEPTED.has(key)) t.problems.push(new TemplateError([...base, key], `unknown property of ${type}`));
  }
  // SAM: "When Alias is provided, connect all event sources to the alias and *not* the function"
  // (sam_resources.py): mappings, API integrations, subscriptions, rule and schedule targets.
  functionEvents(t, stack, id, alias === undefined ? name : `${name}:${String(alias)}`, p.Events, base);
}

const KNOWN = new Set(["Tags", "FunctionName", "Runtime", "Handler", "CodeUri", "InlineCode", "MemorySize", "Timeout", "Environment", "Architectures", "DeadLetterQueue", "ReservedConcurrentExecutions", "RecursiveLoop", "EventInvokeConfig", "EphemeralStorage", "Layers", "FunctionUrlConfig", "AutoPublishAlias", "ProvisionedConcurrencyConfig", "LoggingConfig", "Events", "ImageUri", "ImageConfig"]);

/**
 * A serverless function's Tags map, or a Lambda::Function's [{ Key, Value }] list. SAM adds
 * `lambda:createdBy: SAM` to every function it creates (its translator's output templates).
 */
function functionTags(serverless: boolean, tags: unknown): unknown {
  if (!serverless) return tagMap(tags);
  if (tags !== undefined && (tags === null || typeof tags !== "object" || Array.isArray(tags))) return tags;
  return { "lambda:createdBy": "SAM", ...(tags as Record<string, string> | undefined) };
}

/** SAM's esbuild build; a missing entry point is reported at Metadata.BuildProperties.EntryPoints. */
async function buildFunction(id: string, sourceDir: string, handler: unknown, properties: unknown, outDir: string): Promise<string> {
  try {
    return await esbuildFunction(`Resources.${id}`, sourceDir, handler, properties, outDir);
  } catch (e) {
    if (e instanceof EntryPointError) throw new TemplateError(["Resources", id, "Metadata", "BuildProperties", "EntryPoints"], e.message);
    throw e;
  }
}

/** Lambda::Function's `Code`: ZipFile inline, or a local path (what `aws cloudformation package` reads). */
function lambdaCode(code: unknown, path: readonly (string | number)[]): { uri?: unknown; inline?: unknown } {
  if (typeof code === "string") return { uri: code };
  if (code === null || typeof code !== "object") throw new TemplateError(path, "expected { ZipFile: code } or a local folder or zip file");
  const c = code as Props;
  if (c.ZipFile !== undefined) return { inline: c.ZipFile };
  throw new TemplateError(path, "expected { ZipFile: code } or a local folder or zip file: code in S3 is not reachable offline");
}

/** SAM's FunctionUrlConfig (AuthType, InvokeMode, Cors) as the native `functionUrl:`. */
function functionUrl(v: unknown): unknown {
  const c = (v ?? {}) as Props;
  const cors = c.Cors as Props | undefined;
  return defined({
    authType: c.AuthType,
    invokeMode: c.InvokeMode,
    cors:
      cors === undefined
        ? undefined
        : defined({ allowCredentials: cors.AllowCredentials, allowHeaders: cors.AllowHeaders, allowMethods: cors.AllowMethods, allowOrigins: cors.AllowOrigins, exposeHeaders: cors.ExposeHeaders, maxAge: num(cors.MaxAge) }),
  });
}

/** LoggingConfig (LogFormat, ApplicationLogLevel, SystemLogLevel, LogGroup) as the native `loggingConfig:`. */
function loggingConfig(v: unknown): unknown {
  if (v === undefined) return undefined;
  const c = (v ?? {}) as Props;
  return defined({ logFormat: c.LogFormat, applicationLogLevel: c.ApplicationLogLevel, systemLogLevel: c.SystemLogLevel, logGroup: c.LogGroup });
}

/** SAM's EventInvokeConfig as the native eventInvokeConfig ($LATEST). */
function eventInvokeConfig(v: unknown): unknown {
  if (v === undefined) return undefined;
  const c = v as Props;
  const dest = c.DestinationConfig as Props | undefined;
  const target = (d: unknown) => (d === undefined ? undefined : { destination: (d as Props).Destination });
  return defined({
    maximumRetryAttempts: num(c.MaximumRetryAttempts),
    maximumEventAgeInSeconds: num(c.MaximumEventAgeInSeconds),
    destinationConfig: dest === undefined ? undefined : defined({ onSuccess: target(dest.OnSuccess), onFailure: target(dest.OnFailure) }),
  });
}

