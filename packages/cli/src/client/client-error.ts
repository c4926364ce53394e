/**
 * A client command's failure (no simulator at the endpoint, a refused request), printed by main.ts
 * as one line. Client commands throw this rather than core's SimError so that they start without
 * loading the simulator.
 */
export class ClientError extends Error {
  override name = "ClientError";
}
