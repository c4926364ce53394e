import { describe, expect, it } from "vitest";
import { RETIRE_REASONS } from "@lambda-sim/core";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { renderFunctions } from "./render.js";

const lane = (id: string, state: string, reason?: string) => ({ id, functionName: "fn", version: "1", state, reason, provisioned: true, chips: [] });

describe("the functions section's lanes", () => {
  it("explains every retire reason in the lane legend, and a retired lane's reason in its title", () => {
    const html: string = renderFunctions({
      functions: new Map([["fn", { runtime: "nodejs24.x", memorySize: 128 }]]),
      envs: new Map([["e1", lane("e1", "retired", "provisioned-released")]]),
      throttles: new Map(),
      account: {},
    });
    for (const reason of RETIRE_REASONS) expect(html).toContain(`data-reason="${reason}"`);
    expect(html).toContain('<small title="provisioned concurrency released (config deleted or lowered, alias moved)">provisioned-released</small>');
  });
});
