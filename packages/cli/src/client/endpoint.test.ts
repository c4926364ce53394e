import { describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, endpointArg, resolveEndpoint } from "./endpoint.ts";

describe("resolveEndpoint", () => {
  it("takes --endpoint, then AWS_ENDPOINT_URL, then LAMBDA_SIM_ENDPOINT, then the default", () => {
    const env = { AWS_ENDPOINT_URL: "http://127.0.0.1:4000", LAMBDA_SIM_ENDPOINT: "http://127.0.0.1:5000" };
    expect(resolveEndpoint("http://127.0.0.1:3999", env)).toBe("http://127.0.0.1:3999");
    expect(resolveEndpoint(undefined, env)).toBe("http://127.0.0.1:4000");
    expect(resolveEndpoint(undefined, { LAMBDA_SIM_ENDPOINT: "http://127.0.0.1:5000" })).toBe("http://127.0.0.1:5000");
    expect(resolveEndpoint(undefined, {})).toBe(DEFAULT_ENDPOINT);
  });

  it("treats empty variables as unset and drops a trailing slash", () => {
    expect(resolveEndpoint(undefined, { AWS_ENDPOINT_URL: "", LAMBDA_SIM_ENDPOINT: "http://h:1/" })).toBe("http://h:1");
  });

  it("endpointArg names only an endpoint other than the default", () => {
    expect(endpointArg(DEFAULT_ENDPOINT)).toBe("");
    expect(endpointArg("http://127.0.0.1:4000")).toBe(" --endpoint http://127.0.0.1:4000");
  });
});
