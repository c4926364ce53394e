import { describe, expect, it } from "vitest";
import { renderTemplate, unevaluatedVtl } from "./mapping-template.ts";

const scope = { context: { stage: "v1", requestId: "r-1" }, stageVariables: { table: "pets" }, param: (n: string) => (n === "id" ? "7" : undefined) };

describe("mapping templates without a VTL engine", () => {
  it("fills in the references it knows, in each notation, and leaves the rest as Velocity writes an unknown one", () => {
    expect(renderTemplate('{"s": "$context.stage", "r": "${context.requestId}", "t": "$stageVariables.table", "id": "$input.params(\'id\')", "q": "$input.params("q")"}', scope)).toBe('{"s": "v1", "r": "r-1", "t": "pets", "id": "7", "q": ""}');
    expect(renderTemplate("$util.urlEncode($x) $!nothing $!context.stage", scope)).toBe("$util.urlEncode($x)  v1");
    expect(renderTemplate('{"color": "#fff", "price": "$5"}', scope)).toBe('{"color": "#fff", "price": "$5"}');
  });

  it("names what it does not evaluate: directives and other references", () => {
    expect(unevaluatedVtl('{"statusCode": 200}')).toBeUndefined();
    expect(unevaluatedVtl('{"s": "${context.stage}", "id": "$input.params(\'id\')", "c": "#fff"}')).toBeUndefined();
    expect(unevaluatedVtl("#set($x = 1)$x")).toBe("VTL directive #set");
    expect(unevaluatedVtl("## a comment")).toBe("VTL directive ##");
    expect(unevaluatedVtl('{"body": $input.json(\'$\')}')).toBe("VTL reference $input.json('$')");
    expect(unevaluatedVtl('{"id": "$context.identity.sourceIp"}')).toBe("VTL reference $context.identity.sourceIp");
  });
});
