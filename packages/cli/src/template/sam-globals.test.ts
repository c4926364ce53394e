import { describe, expect, it } from "vitest";
import { applyGlobals } from "./sam-globals.ts";
import type { TemplateError } from "./intrinsics.ts";
import type { TemplateResource } from "./template-stack.ts";

function withGlobals(globals: unknown, properties: Record<string, unknown>, type = "AWS::Serverless::Function"): { props: Record<string, unknown>; problems: string[] } {
  const resources: Record<string, TemplateResource> = { Fn: { Type: type, Properties: properties } };
  const problems: TemplateError[] = [];
  applyGlobals(globals, resources, problems);
  return { props: resources.Fn!.Properties, problems: problems.map((p) => `${p.path.join(".")}: ${p.message}`) };
}

describe("SAM Globals", () => {
  it.each<[string, unknown, Record<string, unknown>, Record<string, unknown>]>([
    ["a value the resource does not set is taken", { Function: { Timeout: 10 } }, { Handler: "a.b" }, { Timeout: 10, Handler: "a.b" }],
    ["a value the resource sets wins", { Function: { Timeout: 10 } }, { Timeout: 3 }, { Timeout: 3 }],
    ["maps are merged key by key, the resource's winning", { Function: { Environment: { Variables: { A: "g", B: "g" } } } }, { Environment: { Variables: { B: "r" } } }, { Environment: { Variables: { A: "g", B: "r" } } }],
    ["lists are the globals' entries, then the resource's", { Function: { Layers: ["g"] } }, { Layers: ["r"] }, { Layers: ["g", "r"] }],
    ["an intrinsic is one value: the resource's replaces a global map", { Function: { Environment: { Variables: { A: "g" } } } }, { Environment: { "Fn::If": ["C", {}, {}] } }, { Environment: { "Fn::If": ["C", {}, {}] } }],
  ])("%s", (_, globals, local, expected) => {
    expect(withGlobals(globals, local).props).toEqual(expected);
  });

  it("applies each section to its own type only", () => {
    expect(withGlobals({ Api: { Cors: "*" } }, { Handler: "a.b" }).props).toEqual({ Handler: "a.b" });
    expect(withGlobals({ Function: { Timeout: 5 } }, {}, "AWS::Lambda::Function").props).toEqual({});
  });

  it("names an unknown section", () => {
    expect(withGlobals({ Functions: { Timeout: 5 } }, {}).problems).toEqual(["Globals.Functions: unknown Globals section (SAM has Function, Api, HttpApi, SimpleTable, StateMachine, LayerVersion, CapacityProvider)"]);
  });
});
