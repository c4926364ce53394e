import { Simulator, type SimulatorOptions } from "../simulator.ts";

export interface TestSimulator {
  sim: Simulator;
  endpoint: string;
  /** Options for any AWS SDK v3 client: endpoint, region and fake credentials. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  close(): Promise<void>;
}

/**
 * A simulator on a free loopback port, in memory unless `stateDir` is given, with a fixed seed so
 * that runs repeat. Close it in `afterAll`/`afterEach`.
 */
export async function startTestSimulator(opts: SimulatorOptions = {}): Promise<TestSimulator> {
  const sim = await Simulator.start({ port: 0, seed: 1, ...opts });
  return {
    sim,
    endpoint: sim.endpoint,
    clientConfig: { endpoint: sim.endpoint, region: opts.region ?? "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    close: () => sim.close(),
  };
}
