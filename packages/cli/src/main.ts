import { Command, InvalidArgumentError, Option } from "commander";
import { CLOCK_KINDS } from "@lambda-sim/core/clock-choice";
import { DEFAULT_BUSY_POLL_US } from "@lambda-sim/core/busy-poll";
import { endpointOption } from "./client/endpoint.ts";
import { tokenOption } from "./client/sim-auth.ts";
import { ClientError } from "./client/client-error.ts";
import { cliVersion } from "./version.ts";
import { registerClockCommand } from "./commands/clock.ts";
import { registerFaultCommand } from "./commands/fault.ts";
import { registerRunCommand } from "./commands/run.ts";

// Commands are loaded when run: a client command (`invoke`, `env`) starts without loading the
// simulator (express, SQLite, every service), which is most of a `lambda-sim invoke`'s time.

/** Parses an integer option, with commander's one-line error on bad input. */
function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}.`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number.");
  return n;
}

const program = new Command("lambda-sim")
  .description("A local simulator of AWS Lambda and the event sources around it.")
  .version(cliVersion(), "-V, --version", "print lambda-sim's version")
  .showHelpAfterError();

program
  .command("start")
  .description("serve every simulated AWS API on one port")
  .option("--config <file>", "lambda-sim.yaml (or .json) declaring functions")
  .option("--template <file>", "a SAM or CloudFormation template (default: ./template.yaml or .yml when there is no lambda-sim.yaml)")
  .option("--parameter-overrides <Key=Value...>", "template parameter values, as SAM CLI takes them")
  .option("-n, --env-vars <file>", "SAM CLI's env.json: values for the environment variables functions declare ({\"Parameters\": {...}} or {\"LogicalId\": {...}})")
  .option("--stack-name <name>", "AWS::StackName and the prefix of generated names (default: the template's folder name)")
  .option("--port <port>", "port to listen on", integer("--port", 0, 65535), 3001)
  .option("--host <host>", "address to bind (loopback only, unless --auth)", "127.0.0.1")
  .option("--state <dir>", "state directory (SQLite database, unpacked code)", ".lambda-sim")
  .option("--in-memory", "keep no state between runs")
  .addOption(new Option("--clock <kind>", "system (wall time), or virtual: service time stands still until `lambda-sim clock advance`").choices(CLOCK_KINDS).default("system"))
  .option("--time-scale <n>", "run service timers (retries, schedules, idle reaping) N times faster", positiveNumber, 1)
  .option("--seed <seed>", "seed for every random choice (alias routing, jitter)")
  .option("--auth", "verify SigV4 signatures against LAMBDA_SIM_ACCESS_KEY_ID/LAMBDA_SIM_SECRET_ACCESS_KEY or auth.credentials (required to bind a non-loopback host)")
  .option("--catch-up", "after a restart, fire each schedule once if it missed fires while lambda-sim was down")
  .option("--async-concurrency <n>", "how many stored Event invocations run at once", integer("--async-concurrency", 1, 10_000), 32)
  .option("--watch", "deploy a declared function's edited code on save: its folder (or a built function's sources) is read again, its warm environments replaced")
  .option("--quiet", "no line per notable event (throttles, messages moved to a DLQ, async retries); function logs stay")
  .option("--busy-poll <µs>", "after handing a runtime its event or a caller its answer, keep polling this long instead of sleeping (lower latency, more CPU; 0: off)", integer("--busy-poll", 0, 100_000), DEFAULT_BUSY_POLL_US)
  .action(async (opts) => {
    // Before the simulator's modules load (commands/start-heap.ts says why).
    (await import("./commands/start-heap.ts")).holdYoungGeneration();
    await (await import("./commands/start.ts")).startCommand(opts);
  });

program
  .command("tail")
  .description("print the events of a running simulator, one line each (Ctrl-C to stop)")
  .option("--function <name>", "only events of this function (its name, or its logical id in the template the simulator started from)")
  .option("--source <name>", "only events of this event source (orders, sqs:orders, its ARN, or its template logical id)")
  .option("--json", "one JSON object per line (the telemetry event schema, with its seq)")
  .option("--logs", "include the functions' log lines")
  .option("--long", "name things in full: generated names, :$LATEST, whole request and message ids (default: a template's logical ids, short ids)")
  .option("--no-reconnect", "exit when the simulator closes the stream (a restart) instead of reconnecting")
  .addOption(endpointOption())
  .addOption(tokenOption())
  .action(async (opts) => (await import("./commands/tail.ts")).tailCommand(opts));

program
  .command("ui")
  .description("serve the dashboard to play back a trace written by `lambda-sim run --trace`")
  .requiredOption("--trace <file>", "JSON lines of telemetry events")
  .option("--port <port>", "port to listen on", integer("--port", 0, 65535), 3002)
  .option("--speed <n>", "playback speed (1 = as recorded)", positiveNumber, 1)
  .action(async (opts) => (await import("./commands/ui.ts")).uiCommand(opts));


program
  .command("invoke")
  .description("invoke a function on a running simulator and print its result")
  .argument("<name>", "function name, name:qualifier or ARN")
  .option("--payload <json>", "event as JSON text, or @file to read it from a file", "{}")
  .option("--event", "asynchronous invocation (InvocationType Event)")
  .option("--qualifier <q>", "version or alias")
  .option("--log", "print the last 4 KB of the invocation's log (LogType Tail)")
  .addOption(endpointOption())
  .action(async (name, opts) => (await import("./commands/invoke.ts")).invokeCommand(name, opts));

program
  .command("env")
  .description("print the shell exports that point AWS tools at the simulator: eval \"$(lambda-sim env)\"")
  .option("--region <region>", "AWS_REGION to export (default: $AWS_REGION, else us-east-1)")
  .addOption(endpointOption())
  .action(async (opts) => (await import("./commands/env.ts")).envCommand(opts));

registerClockCommand(program);
registerFaultCommand(program);
registerRunCommand(program);

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof ClientError) {
    process.stderr.write(`lambda-sim: ${e.message}\n`);
    process.exit(1);
  }
  const { isSimError } = await import("@lambda-sim/core");
  if (isSimError(e) && e.isUserError) {
    process.stderr.write(`lambda-sim: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
