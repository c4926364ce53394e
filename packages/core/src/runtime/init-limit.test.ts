import { afterEach, describe, expect, it } from "vitest";
import { INIT_LIMIT_MS, initLimitMs } from "./init-limit.ts";

describe("the on-demand Init limit", () => {
  afterEach(() => {
    delete process.env.LAMBDA_SIM_INIT_LIMIT_MS;
  });

  it("is AWS's 10 s unless LAMBDA_SIM_INIT_LIMIT_MS says otherwise", () => {
    expect(INIT_LIMIT_MS).toBe(10_000);
    expect(initLimitMs()).toBe(10_000);
    process.env.LAMBDA_SIM_INIT_LIMIT_MS = "2500";
    expect(initLimitMs()).toBe(2_500);
  });

  it("ignores a value that is not a whole number of ms above 0", () => {
    for (const v of ["", "0", "-5", "1.5", "soon"]) {
      process.env.LAMBDA_SIM_INIT_LIMIT_MS = v;
      expect(initLimitMs(), v).toBe(10_000);
    }
  });
});
