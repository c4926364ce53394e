import type { Source, SourceContext } from "../source.ts";
import type { MappingKind } from "../mappings/mapping-problems.ts";
import type { SimApi } from "../sim-api/sim-api.ts";
import type { SigV4Verifier } from "../protocols/sigv4-verifier.ts";
import type { CoreServices } from "./core-services.ts";
import type { CleanupStack } from "./cleanup-stack.ts";

/**
 * Starts each source in order with its own context and its lambda-sim.yaml section; each handle's
 * stop goes on the cleanup stack, so the sources stop in reverse order of starting, on close or
 * when a later step of start-up fails.
 */
export async function startSources(
  sources: readonly Source<any>[],
  core: CoreServices,
  deps: { endpoint: string; publicEndpoint?: string; simApi: SimApi; sourceConfig?: Record<string, unknown>; verifier?: SigV4Verifier },
  cleanup: CleanupStack,
): Promise<void> {
  const { clock, rng, store, invoker, telemetry, router, region, accountId, mappings, targets, hub, functionUrls, frontDoor } = core;
  const verifier = deps.verifier;
  // What the sources of this simulator hand each other (SourceContext.share).
  const shared = new Map<string, unknown>();
  for (const source of sources) {
    const config = source.configKey === undefined ? undefined : deps.sourceConfig?.[source.configKey];
    const ctx: SourceContext = {
      clock, rng, store, invoker, telemetry, router, region, accountId, frontDoor,
      endpoint: deps.endpoint,
      configured: deps.sourceConfig !== undefined,
      publicEndpoint: deps.publicEndpoint ?? deps.endpoint,
      functionUrls,
      verifySignature: verifier && ((req, body) => verifier.verify(req, body)),
      addSimRoute: (path, handler, method) => deps.simApi.addRoute(path, handler, method),
      addStateView: (name, view) => hub.addView(name, view, { inState: true }),
      view: (name) => hub.view(name),
      share: (name, value) => void shared.set(name, value),
      shared: (name) => shared.get(name),
      registerPoller: (service, factory) => mappings.registerPoller(declared(source, service, "queue"), factory),
      registerTarget: (service, target) => targets.register(service, target),
      registerStreamReader: (service, factory) => mappings.registerStreamReader(declared(source, service, "stream"), factory),
      deliverToTarget: (arn, body, attributes, options) => targets.deliver(arn, body, attributes, options),
    };
    const settings = source.settingsKey === undefined ? undefined : deps.sourceConfig?.[source.settingsKey];
    const handle = await source.start(ctx, config, settings);
    if (handle) cleanup.defer(() => handle.stop());
  }
}

/**
 * A source serves mappings of the kinds its `mappingKinds` declares: the configuration's mappings
 * are checked against them before any source starts (declared-mapping-problems.ts), so one
 * registered without being declared would have its mappings refused there. A programming error.
 */
function declared(source: Source<any>, service: string, kind: MappingKind): string {
  if (source.mappingKinds?.[service] !== kind) throw new Error(`source ${source.name}: registers a ${kind} for ${service} mappings but its mappingKinds does not declare it`);
  return service;
}
