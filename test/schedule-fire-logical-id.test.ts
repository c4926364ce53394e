import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser14 F7: a template's schedule fired by hand (`POST /_sim/schedules/NAME/fire`) answered 404
 * to its logical id and to the name the start banner gives it (`Fn.Every5`): only the generated
 * name fired, where faults, tail and invoke take logical ids. Both forms fire it now.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: 'exports.handler = async () => ({ ok: true });'
      Events:
        Every5: { Type: Schedule, Properties: { Schedule: rate(5 minutes) } }
        Daily: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 day) } }
`;

it("fires a template's schedule named by its logical id or as the banner names it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fire-logical-"));
  writeFileSync(join(dir, "template.yaml"), TEMPLATE);
  const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory", "--clock", "virtual"]);
  await until(() => sim.output().includes("AWS tools:"));
  const invocations = () => sim.output().split("REPORT RequestId").length - 1;
  const fire = (name: string) => fetch(`${sim.endpoint}/_sim/schedules/${name}/fire`, { method: "POST" });
  // A Scheduler rate schedule without a StartDate invokes its target at once (aws-facts §9): that one first,
  // or a fire below could be counted for it (the test raced it).
  await until(() => invocations() === 1);

  const byBanner = await fire("Fn.Every5");
  expect(byBanner.status, await byBanner.clone().text()).toBe(200);
  expect(((await byBanner.json()) as { fired: string }).fired).toMatch(/-FnEvery5-[A-Z0-9]{12}$/);
  await until(() => invocations() === 2);

  const byLogicalId = await fire("FnDaily");
  expect(byLogicalId.status).toBe(200);
  await until(() => invocations() === 3);

  const unknown = await fire("FnHourly");
  expect(unknown.status).toBe(404);
  expect(((await unknown.json()) as { message: string }).message).toContain("no schedule or rule named FnHourly");
  await sim.kill();
}, 60_000);
