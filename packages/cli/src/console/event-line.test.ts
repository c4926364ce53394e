import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAY_BE_NOTABLE } from "./event-line.ts";

describe("MAY_BE_NOTABLE", () => {
  it("names every event type whose line describeEvent can mark notable, and no other", () => {
    // The console skips describing any other type: a notable case missing here would go unprinted.
    const source = readFileSync(new URL("./event-line.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("export function describeEvent"));
    const notable = new Set<string>();
    for (const block of body.split(/\n    case /).slice(1)) {
      const type = /^"([^"]+)"/.exec(block)?.[1];
      if (type !== undefined && /notable: (true|e\.|[a-z]+ [=!]==)/.test(block)) notable.add(type);
    }
    expect([...notable].sort()).toEqual([...MAY_BE_NOTABLE].sort());
  });
});
