// @lambda-sim/core/testing: one harness for core's tests, the root integration tests and users' own.
export { startTestSimulator, type TestSimulator } from "./test-simulator.ts";
export { zipDirectory, zipFiles } from "./zip-fixtures.ts";
export { TelemetryRecorder } from "./telemetry-recorder.ts";
