import { describe, expect, it } from "vitest";
import { FUNCTION_NAME_PATTERN, functionSchema, SUPPORTED_RUNTIMES, toFunctionDefinition } from "./function-schema.ts";

const node = { runtime: "nodejs24.x", handler: "index.handler", codeUri: "./fn" };

/** The issues of an invalid entry as `path: message`. */
function problems(input: unknown): string[] {
  const r = functionSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.code === "unrecognized_keys" ? `unknown ${i.keys.join(",")}` : i.message}`);
}

describe("functionSchema", () => {
  it("lists the runtimes lambda-sim runs", () => {
    expect(SUPPORTED_RUNTIMES).toEqual(["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14", "provided.al2023", "provided.al2"]);
  });

  it("fills in CreateFunction's defaults: 128 MB and 3 seconds", () => {
    expect(functionSchema.parse(node)).toEqual({ ...node, memorySize: 128, timeout: 3 });
  });

  it("requires a handler for Node.js but not for provided.* runtimes", () => {
    expect(problems({ runtime: "nodejs22.x", codeUri: "fn" })).toEqual(["handler: expected a handler such as index.handler (required for Node.js runtimes)"]);
    expect(problems({ runtime: "provided.al2023", codeUri: "fn" })).toEqual([]);
  });

  it("requires a code directory", () => {
    expect(problems({ runtime: "provided.al2" })).toEqual(["codeUri: expected the path of the function's code directory"]);
  });

  it("enforces AWS's ranges and patterns", () => {
    expect(problems({ ...node, memorySize: 64 })).toEqual(["memorySize: expected an integer between 128 and 10240"]);
    expect(problems({ ...node, memorySize: 10241 })).toEqual(["memorySize: expected an integer between 128 and 10240"]);
    expect(problems({ ...node, timeout: 901 })).toEqual(["timeout: expected an integer between 1 and 900"]);
    expect(problems({ ...node, timeout: 1.5 })).toEqual(["timeout: expected an integer between 1 and 900"]);
    expect(problems({ ...node, ephemeralStorage: { size: 511 } })).toEqual(["ephemeralStorage.size: expected an integer between 512 and 10240"]);
    expect(problems({ ...node, handler: "index handler" })).toEqual(["handler: expected a handler without spaces, such as index.handler"]);
    expect(problems({ ...node, handler: "h".repeat(129) })).toEqual(["handler: expected a handler of at most 128 characters"]);
    expect(problems({ ...node, description: "d".repeat(257) })).toEqual(["description: expected at most 256 characters"]);
    expect(problems({ ...node, runtime: "nodejs18.x" })).toEqual(["runtime: expected one of nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14, provided.al2023, provided.al2, model"]);
    expect(problems({ ...node, architectures: ["x86_64", "arm64"] })).toEqual(["architectures: expected [x86_64] or [arm64]"]);
    expect(problems({ ...node, architectures: ["arm64"] })).toEqual([]);
  });

  it("rejects unknown keys, also inside nested settings", () => {
    expect(problems({ ...node, memroySize: 256 })).toEqual([": unknown memroySize"]);
    expect(problems({ ...node, sim: { freez: true } })).toEqual(["sim: unknown freez"]);
  });

  it("takes numbers and booleans in the environment as text", () => {
    expect(functionSchema.parse({ ...node, environment: { RETRIES: 3, DEBUG: true, TABLE: "t" } }).environment).toEqual({ RETRIES: "3", DEBUG: "true", TABLE: "t" });
    expect(problems({ ...node, environment: { NESTED: { a: 1 } } })).toEqual(["environment.NESTED: expected a string"]);
  });

  it("applies Lambda's environment rules", () => {
    const [reserved] = problems({ ...node, environment: { AWS_REGION: "eu-west-1" } });
    expect(reserved).toBe(
      "environment: expected valid Lambda environment variables: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
    );
    expect(problems({ ...node, environment: { BIG: "x".repeat(4100) } })[0]).toMatch(/exceeded the 4KB limit/);
  });
});

describe("toFunctionDefinition", () => {
  it("resolves codeUri against the config's directory and maps the keys", () => {
    const entry = functionSchema.parse({
      ...node,
      codeUri: "../code/orders",
      ephemeralStorage: { size: 1024 },
      deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:000000000000:dlq" },
      architectures: ["arm64"],
      sim: { freeze: false, idleLifetimeSeconds: 30 },
    });
    expect(toFunctionDefinition("orders", entry, "/project/config")).toEqual({
      functionName: "orders",
      runtime: "nodejs24.x",
      handler: "index.handler",
      codeDir: "/project/code/orders",
      memorySize: 128,
      timeout: 3,
      ephemeralStorageSize: 1024,
      architectures: ["arm64"],
      deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq",
      sim: { freeze: false, idleLifetimeMs: 30_000 },
    });
  });

  it("leaves unset simulator settings out, so the registry's defaults apply", () => {
    expect(toFunctionDefinition("f", functionSchema.parse({ ...node, sim: { idleLifetimeSeconds: 5 } }), "/p").sim).toEqual({ idleLifetimeMs: 5000 });
  });
});

describe("FUNCTION_NAME_PATTERN", () => {
  it("accepts AWS function names of 1-64 letters, digits, hyphens and underscores", () => {
    for (const ok of ["f", "orders-v2_x", "a".repeat(64)]) expect(FUNCTION_NAME_PATTERN.test(ok)).toBe(true);
    for (const bad of ["", "a".repeat(65), "bad name", "a.b", "ä"]) expect(FUNCTION_NAME_PATTERN.test(bad)).toBe(false);
  });

  it("takes eventInvokeConfig with PutFunctionEventInvokeConfig's ranges and maps it for the registry", () => {
    expect(problems({ ...node, eventInvokeConfig: { maximumRetryAttempts: 3 } })).toEqual(["eventInvokeConfig.maximumRetryAttempts: expected an integer between 0 and 2"]);
    expect(problems({ ...node, eventInvokeConfig: { maximumEventAgeInSeconds: 59 } })).toEqual(["eventInvokeConfig.maximumEventAgeInSeconds: expected an integer between 60 and 21600"]);
    expect(problems({ ...node, eventInvokeConfig: { destinationConfig: { onFailure: { arn: "x" } } } })).toEqual([
      "eventInvokeConfig.destinationConfig.onFailure.destination: expected sqs:NAME, lambda:NAME or an ARN",
      "eventInvokeConfig.destinationConfig.onFailure: unknown arn",
    ]);
    const entry = functionSchema.parse({ ...node, eventInvokeConfig: { maximumRetryAttempts: 0, destinationConfig: { onSuccess: { destination: "lambda:next" }, onFailure: { destination: "sqs:failed" } } } });
    expect(toFunctionDefinition("f", entry, "/base").eventInvokeConfig).toEqual({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: undefined, onSuccess: "lambda:next", onFailure: "sqs:failed" });
  });
});
