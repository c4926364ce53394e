import type { LoadedConfig } from "../config/load-config.ts";
import type { TemplateAction } from "./template-actions.ts";

/**
 * The event source mappings and function URLs that name a version or alias, taken out of the start
 * config (validated with it) and applied as actions once the simulator listens: the aliases and
 * versions of a template (AutoPublishAlias, AWS::Lambda::Alias) are made then, and Lambda refuses a
 * mapping or URL on one that does not exist yet. A function with AutoPublishAlias has its events
 * qualified by the alias (function-resource.ts: SAM "points all event sources to the Alias"), and
 * its `FunctionUrlConfig` is on the alias (SAM's AWS::Lambda::Url gets the alias ARN as
 * TargetFunctionArn).
 * `mappingPlaces` are where each config mapping was declared; those of the ones taken out go with them.
 */
export function deferAliasTargets(config: LoadedConfig, actions: TemplateAction[], mappingPlaces: string[]): { config: LoadedConfig; mappingPlaces: string[] } {
  const published = new Map(actions.flatMap((a) => (a.kind === "publish-alias" ? [[a.functionName, a] as const] : [])));
  const kept: LoadedConfig["eventSourceMappings"] = [];
  const places: string[] = [];
  config.eventSourceMappings.forEach((m, i) => {
    if (qualifierOf(m.FunctionName) === undefined) {
      kept.push(m);
      places.push(mappingPlaces[i]!);
      return;
    }
    const place = mappingPlaces[i]!;
    actions.push({ kind: "mapping", logicalId: place, place, input: m });
  });
  const functions = config.functions.map((f) => {
    const alias = published.get(f.functionName);
    if (alias === undefined || f.functionUrl === undefined) return f;
    actions.push({ kind: "function-url", logicalId: `${alias.logicalId}Url`, functionName: f.functionName, qualifier: alias.alias, url: f.functionUrl });
    const { functionUrl: _onTheAlias, ...rest } = f;
    return rest;
  });
  return { config: { ...config, eventSourceMappings: kept, functions }, mappingPlaces: places };
}

/** `name:live`, `arn:aws:lambda:r:a:function:name:live` → `live`; unqualified or `$LATEST` → undefined. */
function qualifierOf(functionName: string | undefined): string | undefined {
  const q = String(functionName ?? "").replace(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, "").split(":")[1];
  return q === undefined || q === "$LATEST" ? undefined : q;
}
