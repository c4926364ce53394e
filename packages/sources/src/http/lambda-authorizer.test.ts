import { describe, expect, it } from "vitest";
import { VirtualClock, type Invoker } from "@lambda-sim/core";
import { apiConfigSchema } from "./api-config.ts";
import { LambdaAuthorizer, parseIdentitySource, type AuthorizerCall } from "./lambda-authorizer.ts";

/** An Invoker stand-in that answers with `answer(event)` and counts its calls. */
function fakeInvoker(answer: (event: any) => unknown, errorType?: string) {
  const calls: any[] = [];
  let n = 0;
  const invoker = {
    newRequestId: () => `req-${++n}`,
    invoke: async (input: { payload: Buffer }) => {
      const event = JSON.parse(input.payload.toString("utf8"));
      calls.push(event);
      return { kind: "result", executedVersion: "$LATEST", result: { payload: Buffer.from(JSON.stringify(answer(event))), errorType } };
    },
  } as unknown as Invoker;
  return { invoker, calls };
}

function authorizer(entry: Record<string, unknown>, protocol: "REST" | "HTTP", answer: (event: any) => unknown, clock = new VirtualClock()) {
  const parsed = apiConfigSchema.parse({ a: { protocolType: protocol, routes: {}, authorizers: { x: entry } } }).a.authorizers.x!;
  const { invoker, calls } = fakeInvoker(answer);
  return { auth: new LambdaAuthorizer(parsed, protocol, { invoker, clock }), calls, clock };
}

const ARN = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/1";
const call = (headers: Record<string, string>, arn = ARN): AuthorizerCall => ({ arn, lookup: (s) => (s.where === "header" ? headers[s.name.toLowerCase()] : undefined), requestEvent: (identity) => ({ identity }), via: { front: "rest-api", apiId: "abc", stage: "prod", routeKey: "GET /pets/{id}", authorizer: true } });
const allowAll = () => ({ principalId: "p", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/*" }] }, context: { k: "v" } });

describe("LambdaAuthorizer", () => {
  it("sends the TOKEN event and caches the answer for the TTL in service time", async () => {
    const { auth, calls, clock } = authorizer({ functionName: "f", authorizerResultTtlInSeconds: 60 }, "REST", allowAll);
    expect(await auth.authorize(call({ authorization: "t1" }))).toEqual({ kind: "allow", principalId: "p", context: { k: "v" } });
    expect(calls).toEqual([{ type: "TOKEN", authorizationToken: "t1", methodArn: ARN }]);
    await auth.authorize(call({ authorization: "t1" }));
    expect(calls.length).toBe(1);
    await auth.authorize(call({ authorization: "t2" }));
    expect(calls.length).toBe(2);
    await clock.advanceBy(59_999);
    await auth.authorize(call({ authorization: "t1" }));
    expect(calls.length).toBe(2);
    await clock.advanceBy(1);
    await auth.authorize(call({ authorization: "t1" }));
    expect(calls.length).toBe(3);
  });

  it("evaluates a cached policy against each ARN", async () => {
    const { auth, calls } = authorizer({ functionName: "f" }, "REST", allowAll);
    expect((await auth.authorize(call({ authorization: "t" }))).kind).toBe("allow");
    expect(await auth.authorize(call({ authorization: "t" }, ARN.replace("/GET/", "/POST/")))).toEqual({ kind: "forbidden", explicit: false });
    expect(calls.length).toBe(1);
  });

  it("never caches at TTL 0, and then lets a REQUEST authorizer run without its identity sources", async () => {
    const { auth, calls } = authorizer({ functionName: "f", type: "REQUEST", identitySource: "method.request.header.X-Key", authorizerResultTtlInSeconds: 0 }, "REST", allowAll);
    await auth.authorize(call({}));
    await auth.authorize(call({}));
    expect(calls).toEqual([{ identity: [] }, { identity: [] }]);
  });

  it("HTTP simple answers: isAuthorized decides; anything else is an error", async () => {
    const { auth } = authorizer({ functionName: "f", enableSimpleResponses: true }, "HTTP", (e) => (e.identity[0] === "yes" ? { isAuthorized: true, context: { a: { nested: 1 } } } : e.identity[0] === "no" ? { isAuthorized: false } : { isAuthorized: "maybe" }));
    expect(await auth.authorize(call({ authorization: "yes" }))).toEqual({ kind: "allow", principalId: undefined, context: { a: { nested: 1 } } });
    expect(await auth.authorize(call({ authorization: "no" }))).toEqual({ kind: "forbidden", explicit: false });
    expect(await auth.authorize(call({ authorization: "eh" }))).toMatchObject({ kind: "error", why: "malformed", detail: "isAuthorized is not a boolean" });
    expect(await auth.authorize(call({}))).toEqual({ kind: "unauthorized" });
  });

  it("refuses nested context values for REST APIs", async () => {
    const { auth } = authorizer({ functionName: "f" }, "REST", () => ({ ...allowAll(), context: { a: { b: 1 } } }));
    expect(await auth.authorize(call({ authorization: "t" }))).toMatchObject({ kind: "error", why: "context", requestId: "req-1" });
  });
});

describe("parseIdentitySource", () => {
  it("reads REST and HTTP API spellings", () => {
    expect(parseIdentitySource("method.request.header.Authorization")).toEqual({ where: "header", name: "Authorization" });
    expect(parseIdentitySource(" $request.querystring.q")).toEqual({ where: "querystring", name: "q" });
    expect(parseIdentitySource("$stageVariables.v")).toEqual({ where: "stageVariables", name: "v" });
    expect(parseIdentitySource("method.request.querystring.name")).toEqual({ where: "querystring", name: "name" });
    expect(parseIdentitySource("context.stage")).toEqual({ where: "context", name: "stage" });
  });
});
