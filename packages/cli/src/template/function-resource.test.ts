import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSchedulesSource, kinesisSource, sqsSource } from "@lambda-sim/sources";
import { describe, expect, it } from "vitest";
import type { FunctionDefinition } from "@lambda-sim/core";
import { loadTemplate } from "./load-template.ts";

/** A template whose function's code folder src/ holds `files`: its error, or "" and its functions. */
async function load(properties: string, metadata: string, files: Record<string, string>): Promise<{ error: string; functions?: FunctionDefinition[] }> {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-function-resource-")), "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "src", name), text);
  const file = join(dir, "template.yaml");
  writeFileSync(file, `Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: src/, Runtime: nodejs24.x, ${properties} }\n${metadata}`);
  try {
    const loaded = await loadTemplate(file, { sources: [sqsSource, kinesisSource, createSchedulesSource()], endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
    return { error: "", functions: loaded.functions };
  } catch (e) {
    return { error: (e as Error).message.replaceAll(`${dir}/`, "") };
  }
}

async function errorOf(properties: string, metadata: string, files: Record<string, string>): Promise<string> {
  return (await load(properties, metadata, files)).error;
}

const TS = { "app.ts": "export const handler = async (): Promise<number> => 1;\n" };

describe("a serverless function's code", () => {
  it("refuses a Node.js handler whose file is TypeScript with no build, saying to add BuildMethod: esbuild", async () => {
    expect(await errorOf("Handler: app.handler", "", TS)).toBe(
      "template.yaml:4 Resources.Fn.Properties.Handler: app.handler is in app.ts, TypeScript, which Lambda's Node.js runtimes do not load: add Metadata: { BuildMethod: esbuild } to build it as sam build does",
    );
  });

  it("takes it with BuildMethod: esbuild, or with JavaScript beside it", async () => {
    expect(await errorOf("Handler: app.handler", "    Metadata: { BuildMethod: esbuild }\n", TS)).toBe("");
    expect(await errorOf("Handler: app.handler", "", { ...TS, "app.js": "exports.handler = async () => 1;\n" })).toBe("");
  });

  it("names BuildProperties.EntryPoints when the handler's file is missing", async () => {
    expect(await errorOf("Handler: main.handler", "    Metadata: { BuildMethod: esbuild }\n", TS)).toMatch(/^template\.yaml:5 Resources\.Fn\.Metadata\.BuildProperties\.EntryPoints: no entry point: neither EntryPoints nor a file for handler main\.handler/);
  });
});

describe("a function's LoggingConfig", () => {
  const JS = { "app.js": "exports.handler = async () => 1;\n" };
  it("is taken as CreateFunction takes it: JSON's levels start at INFO, the log group as given", async () => {
    const { error, functions } = await load("Handler: app.handler, LoggingConfig: { LogFormat: JSON, ApplicationLogLevel: DEBUG, LogGroup: /custom/shop }", "", JS);
    expect(error).toBe("");
    expect(functions?.[0]?.loggingConfig).toEqual({ logFormat: "JSON", applicationLogLevel: "DEBUG", systemLogLevel: "INFO", logGroup: "/custom/shop" });
  });

  it("refuses a log level with the Text format, as AWS does", async () => {
    expect(await errorOf("Handler: app.handler, LoggingConfig: { SystemLogLevel: WARN }", "", JS)).toBe(
      'template.yaml:4 Resources.Fn.Properties.LoggingConfig: expected logFormat: JSON with a log level (AWS: LogLevel is not supported when LogFormat is set to "Text")',
    );
  });
});
