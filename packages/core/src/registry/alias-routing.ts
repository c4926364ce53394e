/** An alias (aws-facts §11): one version plus at most one additional version with a weight. */
export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  /** RoutingConfig.AdditionalVersionWeights: { "<version>": weight 0.0-1.0 } */
  additionalVersionWeights?: Record<string, number>;
  revisionId: string;
  /**
   * Set while provisioned concurrency moves to `functionVersion`: the weights above are then the
   * service's own (all traffic on this, the previous version), not the user's (FunctionRegistry.holdAliasRouting).
   */
  heldFor?: string;
}

/**
 * Per-request weighted routing: the additional version runs with probability `weight`, the
 * primary gets the remainder. `draw` is uniform in [0, 1) from the seeded "alias-routing" stream.
 */
export function pickVersion(alias: AliasRecord, draw: number): string {
  const weights = alias.additionalVersionWeights;
  if (weights !== undefined) {
    for (const [version, weight] of Object.entries(weights)) {
      if (draw < weight) return version;
    }
  }
  return alias.functionVersion;
}
