import { afterEach, describe, expect, it } from "vitest";
import { chromiumSkip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A workshop comparing a REST API and an HTTP API in front of one function (newuser10 N3-2): the
 * same malformed answer is a 502 through one and a 500 through the other, and the invocation
 * list must say which row came through which front and route, not only the story a click opens.
 * The page names the function by the template's logical id beside the name it became, as the
 * template the class reads does.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  NodeFn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      # An object body: malformed for both APIs (a REST API answers 502, an HTTP API 500) and for the URL (502).
      InlineCode: "exports.handler = async () => ({ statusCode: 200, body: { long: true } });"
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Rest:
          Type: Api
          Properties: { Path: /long, Method: get }
        Http:
          Type: HttpApi
          Properties: { Path: /long, Method: get }
`;

const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

type TemplateView = { resources: Record<string, { name: string; url: string }> };

describe.skipIf(chromiumSkip !== undefined)(`the dashboard's invocation list names the front${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("labels a REST API's, an HTTP API's and a Function URL's rows with their front and route, and names the function by its logical id", { timeout: 90_000 }, async () => {
    sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE, "ws"), "--in-memory"]);
    const fn = generatedName(sim.output(), "NodeFn", "ws");
    const { resources: r } = (await (await fetch(`${sim.endpoint}/_sim/template`)).json()) as TemplateView;
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);

    // One request through each front, as a browser or curl sends it.
    expect((await fetch(`${r.ServerlessRestApi!.url}long`)).status).toBe(502);
    expect((await fetch(`${r.ServerlessHttpApi!.url}long`)).status).toBe(500);
    expect((await fetch(r.NodeFnUrl!.url)).status).toBe(502);

    // Each row says which front and route it came through, beside the status the client got.
    const row = (via: string) => page.locator("#invocations tr.invocation").filter({ has: page.locator("td.via", { hasText: new RegExp(`^${via}$`) }) });
    for (const [via, status] of [["REST GET /long", 502], ["HTTP GET /long", 500], ["URL", 502]] as const) {
      await shows(page, "#invocations", new RegExp(via));
      await expect.poll(() => row(via).count(), { timeout: 15_000 }).toBe(1);
      // The row appears as the invocation starts ("running…"); its end reaches the page after the client's answer.
      await expect.poll(async () => (await row(via).textContent())?.replace(/\s+/g, " "), { timeout: 15_000 }).toContain(`success → ${status}`);
      // The function as the template names it, the name it became in its title (newuser14 F4: a row one or two lines high).
      expect((await row(via).locator("td.function").textContent())?.trim()).toBe("NodeFn");
      expect(await row(via).locator("td.function .logical-id").getAttribute("title")).toBe(fn);
    }
    // The full front is the cell's title: the API id and stage the story names.
    expect(await row("REST GET /long").locator("td.via").getAttribute("title")).toBe(`REST API ${r.ServerlessRestApi!.name} stage Prod route GET /long`);
    expect(await row("HTTP GET /long").locator("td.via").getAttribute("title")).toBe(`HTTP API ${r.ServerlessHttpApi!.name} stage $default route GET /long`);

    // The lane and the story name it so too.
    expect(await text(page, `.fn[data-function="${fn}"] .fn-name`)).toBe(`NodeFn (${fn})`);
    await row("HTTP GET /long").click();
    await shows(page, "#story .body", new RegExp(`^NodeFn \\(${fn}\\) request`));
    await shows(page, "#story", new RegExp(`via HTTP API ${r.ServerlessHttpApi!.name} stage \\$default route GET /long`));
    expect(errors).toEqual([]);
  });
});
