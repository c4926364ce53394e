import { z } from "zod";
import { resolve } from "node:path";
import { environmentProblem } from "./environment-rules.ts";
import { FUNCTION_DEFAULTS, type FunctionDefinition } from "./function-definition.ts";
import { APPLICATION_LOG_LEVELS, applyLoggingInput, LOG_FORMATS, SYSTEM_LOG_LEVELS } from "../registry/logging-config.ts";
import { checkTags } from "../registry/lambda-tags.ts";

/** Runtimes lambda-sim can run (the registry's CreateFunction accepts the same list). */
export const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14", "provided.al2023", "provided.al2"] as const;
/** Config-only runtimes: `model` runs no process (issue: concurrency at scale). */
export const CONFIG_RUNTIMES = [...SUPPORTED_RUNTIMES, "model"] as const;

const durationError = "expected milliseconds: a number, { min, max } or { mean }";
/** A model duration in ms: fixed, uniform { min, max }, or exponential { mean }. */
const modelDuration = z.union(
  [
    z.number().nonnegative(),
    z.strictObject({ min: z.number().nonnegative(), max: z.number().nonnegative() }),
    z.strictObject({ mean: z.number().positive() }),
  ],
  { error: durationError },
);
const probability = z.number({ error: "expected a probability between 0 and 1" }).min(0, { error: "expected a probability between 0 and 1" }).max(1, { error: "expected a probability between 0 and 1" });

/** Every message reads "expected …"; the formatter appends what it got. */
function intBetween(min: number, max: number) {
  const expected = `expected an integer between ${min} and ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

/**
 * Environment values are strings on AWS (aws-facts §2.3). `RETRIES: 3` or `DEBUG: true` in YAML are
 * taken as text rather than rejected: friendlier, and what the user meant. (The YAML loader passes
 * the scalar's source text, so `VERSION: 1.10` stays "1.10" rather than becoming "1.1".)
 */
const envValue = z.union([z.string(), z.number(), z.boolean()], { error: "expected a string" }).transform(String);

const stringList = z.array(z.string(), { error: "expected a list of strings" });
const pairList = z.union([z.string().regex(/=/), z.array(z.string().regex(/=/))], { error: "expected KEY=value, or a list of them" });

/** `loggingConfig:`, UpdateFunctionConfiguration's LoggingConfig in lowerCamelCase. */
const loggingFields = z.strictObject({
  logFormat: z.enum(LOG_FORMATS, { error: "expected JSON or Text" }).optional(),
  applicationLogLevel: z.enum(APPLICATION_LOG_LEVELS, { error: `expected one of ${APPLICATION_LOG_LEVELS.join(", ")}` }).optional(),
  systemLogLevel: z.enum(SYSTEM_LOG_LEVELS, { error: `expected one of ${SYSTEM_LOG_LEVELS.join(", ")}` }).optional(),
  logGroup: z
    .string({ error: "expected a log group name" })
    .regex(/^[.\-_/#A-Za-z0-9]+$/, { error: "expected a log group name of letters, digits and . - _ / #" })
    .max(512, { error: "expected a log group name of at most 512 characters" })
    .optional(),
});

/** The keys of one `functions:` entry, with AWS's ranges. */
const functionFields = {
  runtime: z.enum(CONFIG_RUNTIMES, { error: `expected one of ${CONFIG_RUNTIMES.join(", ")}` }),
  // CreateFunction: Handler matches [^\s]+, at most 128 characters.
  handler: z
    .string({ error: "expected a handler such as index.handler" })
    .regex(/^[^\s]+$/, { error: "expected a handler without spaces, such as index.handler" })
    .max(128, { error: "expected a handler of at most 128 characters" })
    .optional(),
  codeUri: z.string({ error: "expected the path of the function's code directory" }).optional(),
  description: z.string({ error: "expected a string" }).max(256, { error: "expected at most 256 characters" }).optional(),
  role: z.string({ error: "expected a role ARN" }).optional(),
  // CreateFunction's defaults (aws-facts §3): 128 MB, 3 seconds.
  memorySize: intBetween(128, 10240).default(FUNCTION_DEFAULTS.memorySize),
  timeout: intBetween(1, 900).default(FUNCTION_DEFAULTS.timeout),
  ephemeralStorage: z.strictObject({ size: intBetween(512, 10240) }).optional(),
  environment: z
    .record(z.string(), envValue, { error: "expected a map of variable names to values" })
    .superRefine((vars, ctx) => {
      const problem = environmentProblem(vars);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: `expected valid Lambda environment variables: ${problem}` });
    })
    .optional(),
  architectures: z.tuple([z.enum(["x86_64", "arm64"], { error: "expected x86_64 or arm64" })], { error: "expected [x86_64] or [arm64]" }).optional(),
  deadLetterConfig: z.strictObject({ targetArn: z.string({ error: "expected sqs:NAME or an ARN" }) }).optional(),
  // CreateFunction's LoggingConfig (botocore lambda): the same rules as through the API.
  loggingConfig: loggingFields
    .superRefine((l, ctx) => {
      if (l.logFormat !== "JSON" && (l.applicationLogLevel !== undefined || l.systemLogLevel !== undefined)) {
        ctx.addIssue({ code: "custom", message: "expected logFormat: JSON with a log level (AWS: LogLevel is not supported when LogFormat is set to \"Text\")" });
      }
    })
    .optional(),
  // PutFunctionEventInvokeConfig's ranges (aws-facts §5); destinations checked by the API's rules.
  eventInvokeConfig: z
    .strictObject({
      maximumRetryAttempts: intBetween(0, 2).optional(),
      maximumEventAgeInSeconds: intBetween(60, 21600).optional(),
      destinationConfig: z
        .strictObject({
          onSuccess: z.strictObject({ destination: z.string({ error: "expected sqs:NAME, lambda:NAME or an ARN" }) }).optional(),
          onFailure: z.strictObject({ destination: z.string({ error: "expected sqs:NAME, lambda:NAME or an ARN" }) }).optional(),
        })
        .optional(),
    })
    .optional(),
  model: z
    .strictObject({
      durationMs: modelDuration,
      coldStartMs: modelDuration.default(0),
      errorProbability: probability.default(0),
      timeoutProbability: probability.default(0),
    })
    .optional(),
  // At most 5 layers per function (aws-facts §3 "Other"): names from `layers:` or ARNs.
  layers: z.array(z.string({ error: "expected a layer name or ARN" }), { error: "expected a list of layer names or ARNs" }).max(5, { error: "expected at most 5 layers (AWS's limit)" }).optional(),
  // CreateFunctionUrlConfig's parameters (botocore lambda model: MaxAge 0-86400, at most 6 methods).
  functionUrl: z
    .strictObject({
      authType: z.enum(["NONE", "AWS_IAM"], { error: "expected NONE or AWS_IAM" }),
      invokeMode: z.enum(["BUFFERED", "RESPONSE_STREAM"], { error: "expected BUFFERED or RESPONSE_STREAM" }).optional(),
      // lambda-sim's own: pins the address (a SAM template's !GetAtt <Fn>Url.FunctionUrl uses it).
      urlId: z.string().regex(/^[a-z0-9]{32}$/, { error: "expected 32 lower-case letters and digits" }).optional(),
      cors: z
        .strictObject({
          allowCredentials: z.boolean({ error: "expected true or false" }).optional(),
          allowHeaders: z.array(z.string(), { error: "expected a list of header names" }).max(100).optional(),
          allowMethods: z.array(z.string(), { error: "expected a list of methods such as GET or *" }).max(6, { error: "expected at most 6 methods" }).optional(),
          allowOrigins: z.array(z.string(), { error: "expected a list of origins such as https://example.com or *" }).max(100).optional(),
          exposeHeaders: z.array(z.string(), { error: "expected a list of header names" }).max(100).optional(),
          maxAge: intBetween(0, 86400).optional(),
        })
        .optional(),
    })
    .optional(),
  // CreateFunction's Tags, with TagResource's limits (registry/lambda-tags.ts).
  tags: z
    .record(z.string(), envValue, { error: "expected a map of tag keys to values" })
    .superRefine((tags, ctx) => {
      try {
        checkTags(tags);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `expected valid Lambda tags: ${(e as Error).message}` });
      }
    })
    .optional(),
  reservedConcurrency: z.number({ error: "expected a whole number ≥ 0" }).int({ error: "expected a whole number ≥ 0" }).min(0, { error: "expected a whole number ≥ 0" }).optional(),
  // PutFunctionRecursionConfig's RecursiveLoop: Terminate (AWS's default) stops the 17th invocation of a loop.
  recursiveLoop: z.enum(["Allow", "Terminate"], { error: "expected Allow or Terminate" }).optional(),
  // `sam build`'s esbuild, run by the CLI at start (cli/src/config/function-builds.ts); the
  // properties are spelled as SAM's BuildProperties are.
  build: z.literal("esbuild", { error: "expected esbuild (the only build lambda-sim runs)" }).optional(),
  buildProperties: z
    .strictObject({
      EntryPoints: stringList.optional(),
      Format: z.enum(["cjs", "esm"], { error: "expected cjs or esm" }).optional(),
      Target: z.string({ error: "expected an esbuild target such as es2022 or node22" }).optional(),
      Minify: z.boolean({ error: "expected true or false" }).optional(),
      Sourcemap: z.boolean({ error: "expected true or false" }).optional(),
      External: stringList.optional(),
      MainFields: z.string({ error: "expected field names separated by commas, such as module,main" }).optional(),
      // As esbuild's CLI spells them: ".js=.mjs", "js=// banner", ".png=file", "KEY=value".
      OutExtension: pairList.optional(),
      Banner: pairList.optional(),
      Footer: pairList.optional(),
      Loader: pairList.optional(),
      Define: pairList.optional(),
    })
    .optional(),
  sim: z
    .strictObject({
      freeze: z.boolean({ error: "expected true or false" }).optional(),
      idleLifetimeSeconds: z.number({ error: "expected a number of seconds" }).positive({ error: "expected a positive number of seconds" }).optional(),
    })
    .optional(),
};

/**
 * One entry of `functions:` in lambda-sim.yaml: AWS's CreateFunction parameters in lowerCamelCase
 * (DESIGN.md "Config"), AWS's ranges (aws-facts §3), and simulator-only settings under `sim:`.
 * `codeUri` is required except for `runtime: model`, `handler` except for provided.* runtimes
 * (AWS lets custom runtimes ignore it).
 */
export const functionSchema = z
  .strictObject(functionFields, {
    error: (issue) => (issue.code === "invalid_type" ? "expected a map of function settings (runtime, handler, codeUri, ...)" : undefined),
  })
  .superRefine((f, ctx) => {
    if (f.runtime === "model") {
      if (f.model === undefined) ctx.addIssue({ code: "custom", path: ["model"], input: undefined, message: "expected a model: { durationMs, coldStartMs, errorProbability, timeoutProbability } for runtime model" });
      return;
    }
    if (f.codeUri === undefined) ctx.addIssue({ code: "custom", path: ["codeUri"], input: undefined, message: "expected the path of the function's code directory" });
    if (f.build !== undefined && !f.runtime.startsWith("nodejs")) ctx.addIssue({ code: "custom", path: ["build"], input: f.build, message: "expected no build: esbuild builds Node.js functions only" });
    if (f.buildProperties !== undefined && f.build === undefined) ctx.addIssue({ code: "custom", path: ["buildProperties"], input: undefined, message: "expected build: esbuild beside buildProperties" });
    if (f.runtime.startsWith("nodejs") && f.handler === undefined) {
      ctx.addIssue({ code: "custom", path: ["handler"], input: undefined, message: "expected a handler such as index.handler (required for Node.js runtimes)" });
    }
    if (f.runtime.startsWith("python") && f.handler === undefined) {
      ctx.addIssue({ code: "custom", path: ["handler"], input: undefined, message: "expected a handler such as app.handler (required for Python runtimes)" });
    }
  });

export type FunctionEntry = z.output<typeof functionSchema>;

/**
 * An entry of the lambda-sim.yaml beside a template that sets some of a template function's
 * settings (`Looper: { recursiveLoop: Allow }`) rather than declaring it again: it has no
 * `runtime`, and what only a whole declaration can say (a model, a build) is not among its keys.
 * Nothing defaults: an absent key leaves the template's value.
 */
export const functionSettingsSchema = z
  .strictObject(functionFields, {
    error: (issue) => (issue.code === "invalid_type" ? "expected a map of function settings (reservedConcurrency, environment, ...)" : undefined),
  })
  .omit({ runtime: true, model: true, build: true, buildProperties: true })
  // loggingConfig is merged with the template's (a level given alone keeps its JSON format), and checked then.
  .extend({ memorySize: intBetween(128, 10240).optional(), timeout: intBetween(1, 900).optional(), loggingConfig: loggingFields.optional() });

export type FunctionSettingsEntry = z.output<typeof functionSettingsSchema>;

/** Function names (AWS): 1-64 characters of letters, digits, hyphens and underscores. */
export const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/** Maps a validated entry to the registry's input, resolving codeUri against the config's directory. */
export function toFunctionDefinition(name: string, f: FunctionEntry, baseDir: string): FunctionDefinition {
  return {
    functionName: name,
    runtime: f.runtime,
    handler: f.handler,
    codeDir: resolve(baseDir, f.codeUri ?? "."),
    description: f.description,
    role: f.role,
    memorySize: f.memorySize,
    timeout: f.timeout,
    ephemeralStorageSize: f.ephemeralStorage?.size,
    environment: f.environment,
    architectures: f.architectures,
    deadLetterTargetArn: f.deadLetterConfig?.targetArn,
    loggingConfig: f.loggingConfig === undefined ? undefined : applyLoggingInput(undefined, { LogFormat: f.loggingConfig.logFormat, ApplicationLogLevel: f.loggingConfig.applicationLogLevel, SystemLogLevel: f.loggingConfig.systemLogLevel, LogGroup: f.loggingConfig.logGroup }, name),
    reservedConcurrency: f.reservedConcurrency,
    recursiveLoop: f.recursiveLoop,
    tags: f.tags,
    layers: f.layers,
    model: f.model,
    eventInvokeConfig:
      f.eventInvokeConfig === undefined
        ? undefined
        : {
            maximumRetryAttempts: f.eventInvokeConfig.maximumRetryAttempts,
            maximumEventAgeInSeconds: f.eventInvokeConfig.maximumEventAgeInSeconds,
            onSuccess: f.eventInvokeConfig.destinationConfig?.onSuccess?.destination,
            onFailure: f.eventInvokeConfig.destinationConfig?.onFailure?.destination,
          },
    sim: f.sim === undefined ? undefined : simSettings(f.sim),
    functionUrl: f.functionUrl === undefined ? undefined : functionUrlDefinition(f.functionUrl),
  };
}

/** `functionUrl:` in AWS's own shape (Cors keys capitalised as the API takes them). */
function functionUrlDefinition(u: NonNullable<FunctionEntry["functionUrl"]>): FunctionDefinition["functionUrl"] {
  const c = u.cors;
  const cors =
    c === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries({ AllowCredentials: c.allowCredentials, AllowHeaders: c.allowHeaders, AllowMethods: c.allowMethods, AllowOrigins: c.allowOrigins, ExposeHeaders: c.exposeHeaders, MaxAge: c.maxAge }).filter(([, v]) => v !== undefined),
        );
  return { authType: u.authType, invokeMode: u.invokeMode, cors, urlId: u.urlId };
}

/** Only the settings given: an absent key must not override the registry's default. */
function simSettings(sim: NonNullable<FunctionEntry["sim"]>): FunctionDefinition["sim"] {
  const out: NonNullable<FunctionDefinition["sim"]> = {};
  if (sim.freeze !== undefined) out.freeze = sim.freeze;
  if (sim.idleLifetimeSeconds !== undefined) out.idleLifetimeMs = sim.idleLifetimeSeconds * 1000;
  return out;
}
