import { Command, InvalidArgumentError } from "commander";
import { isSimError } from "@lambda-sim/core";
import { startCommand } from "./commands/start.ts";
import { invokeCommand } from "./commands/invoke.ts";
import { tailCommand } from "./commands/tail.ts";
import { uiCommand } from "./commands/ui.ts";
import { registerClockCommand } from "./commands/clock.ts";
import { registerRunCommand } from "./commands/run.ts";

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
  .showHelpAfterError();

program
  .command("start")
  .description("serve every simulated AWS API on one port")
  .option("--config <file>", "lambda-sim.yaml (or .json) declaring functions")
  .option("--port <port>", "port to listen on", integer("--port", 0, 65535), 3001)
  .option("--host <host>", "address to bind (loopback only, unless --auth)", "127.0.0.1")
  .option("--state <dir>", "state directory (SQLite database, unpacked code)", ".lambda-sim")
  .option("--in-memory", "keep no state between runs")
  .option("--clock <kind>", "system (wall time), or virtual: service time stands still until `lambda-sim clock advance`", "system")
  .option("--time-scale <n>", "run service timers (retries, schedules, idle reaping) N times faster", positiveNumber, 1)
  .option("--seed <seed>", "seed for every random choice (alias routing, jitter)")
  .option("--auth", "verify SigV4 signatures (required to bind a non-loopback host; not implemented yet)")
  .option("--catch-up", "after a restart, fire each schedule once if it missed fires while lambda-sim was down")
  .option("--async-concurrency <n>", "how many stored Event invocations run at once", integer("--async-concurrency", 1, 10_000), 32)
  .option("--quiet", "no line per notable event (throttles, messages moved to a DLQ, async retries); function logs stay")
  .action(startCommand);

program
  .command("tail")
  .description("print the events of a running simulator, one line each (Ctrl-C to stop)")
  .option("--function <name>", "only events of this function")
  .option("--source <name>", "only events of this event source (orders, sqs:orders or its ARN)")
  .option("--json", "one JSON object per line (the telemetry event schema, with its seq)")
  .option("--logs", "include the functions' log lines")
  .option("--endpoint <url>", "simulator endpoint", process.env.LAMBDA_SIM_ENDPOINT ?? "http://127.0.0.1:3001")
  .action(tailCommand);

program
  .command("ui")
  .description("serve the dashboard to play back a trace written by `lambda-sim run --trace`")
  .requiredOption("--trace <file>", "JSON lines of telemetry events")
  .option("--port <port>", "port to listen on", integer("--port", 0, 65535), 3002)
  .option("--speed <n>", "playback speed (1 = as recorded)", positiveNumber, 1)
  .action(uiCommand);

program
  .command("invoke")
  .description("invoke a function on a running simulator and print its result")
  .argument("<name>", "function name, name:qualifier or ARN")
  .option("--payload <json>", "event as JSON text, or @file to read it from a file", "{}")
  .option("--event", "asynchronous invocation (InvocationType Event)")
  .option("--qualifier <q>", "version or alias")
  .option("--log", "print the last 4 KB of the invocation's log (LogType Tail)")
  .option("--endpoint <url>", "simulator endpoint", process.env.LAMBDA_SIM_ENDPOINT ?? "http://127.0.0.1:3001")
  .action(invokeCommand);

registerClockCommand(program);
registerRunCommand(program);

try {
  await program.parseAsync();
} catch (e) {
  if (isSimError(e) && e.isUserError) {
    process.stderr.write(`lambda-sim: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
