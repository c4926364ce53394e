import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { AliasRecord } from "../../registry/alias-routing.ts";
import type { FunctionRecord, FunctionRegistry } from "../../registry/function-registry.ts";
import type { FunctionVersionConfig } from "../../registry/function-model.ts";
import { functionNameOf, unqualifiedFunctionName } from "../../registry/function-names.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";
import { LIST_LIMITS, page, versionPosition } from "./pagination.ts";
import { aliasConfiguration, functionConfiguration } from "./shapes.ts";
import { ALIAS_NAME, matches, validationError } from "./validation.ts";

const P = "/2015-03-31/functions/{FunctionName}";

interface AliasInput {
  Name?: string;
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  RevisionId?: string;
}

/** What may refuse an alias's move before it is saved (provisioned concurrency: one config per version). */
export interface AliasMoveCheck {
  checkAliasMove(functionName: string, alias: AliasRecord): void;
}

/** PublishVersion, ListVersionsByFunction and the alias operations (aws-facts §11). */
export function versionAndAliasRoutes(registry: FunctionRegistry, moves?: AliasMoveCheck): RestRoute[] {
  return [
    {
      method: "POST",
      path: `${P}/versions`,
      operation: "PublishVersion",
      handler: (req) => {
        const input = jsonBody<{ CodeSha256?: string; Description?: string; RevisionId?: string }>(req);
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "PublishVersion"));
        registry.transitions.check(rec.name, "PublishVersion", registry.arn(rec.name));
        const latest = rec.latest;
        if (input.CodeSha256 !== undefined && input.CodeSha256 !== latest.codeSha256) {
          throw lambdaErrors.invalidParameterValue(
            `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
          );
        }
        if (input.RevisionId !== undefined && input.RevisionId !== latest.revisionId) {
          throw new AwsError("PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
        // No new version when neither code nor configuration changed since the last publish.
        const last = lastPublished(rec);
        if (last !== undefined && unchangedSince(last, latest)) return { status: 201, body: functionConfiguration(last) };
        return { status: 201, body: functionConfiguration(registry.publish(rec.name, input.Description)) };
      },
    },
    {
      method: "GET",
      path: `${P}/versions`,
      operation: "ListVersionsByFunction",
      handler: (req) => {
        const rec = registry.get(functionNameOf(req.params.FunctionName!));
        return page([rec.latest, ...rec.versions.values()], req, "Versions", { ...LIST_LIMITS.ListVersionsByFunction, position: (c) => [versionPosition(c.version)] }, functionConfiguration);
      },
    },
    {
      method: "POST",
      path: `${P}/aliases`,
      operation: "CreateAlias",
      handler: (req) => {
        const input = jsonBody<AliasInput>(req);
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "CreateAlias"));
        const name = matches(input.Name, "name", ALIAS_NAME, "(?!^[0-9]+$)([a-zA-Z0-9-_]+)", 128);
        const arn = registry.arn(rec.name);
        if (rec.aliases.has(name)) throw lambdaErrors.resourceConflict(`Alias already exists: ${arn}:${name}`);
        const alias = checkAlias(registry, rec, {
          name,
          functionVersion: input.FunctionVersion ?? "",
          description: input.Description ?? "",
          additionalVersionWeights: input.RoutingConfig?.AdditionalVersionWeights,
          revisionId: registry.newRevisionId(),
        });
        registry.saveAlias(rec.name, alias);
        return { status: 201, body: aliasConfiguration(arn, alias) };
      },
    },
    {
      method: "GET",
      path: `${P}/aliases`,
      operation: "ListAliases",
      handler: (req) => {
        const rec = registry.get(functionNameOf(req.params.FunctionName!));
        const version = req.query.get("FunctionVersion");
        const aliases = [...rec.aliases.values()].filter((a) => version === null || a.functionVersion === version);
        return page(aliases, req, "Aliases", { ...LIST_LIMITS.ListAliases, position: (a) => [a.name] }, (a) => aliasConfiguration(registry.arn(rec.name), a));
      },
    },
    {
      method: "GET",
      path: `${P}/aliases/{Name}`,
      operation: "GetAlias",
      handler: (req) => {
        const rec = registry.get(functionNameOf(req.params.FunctionName!));
        return { body: aliasConfiguration(registry.arn(rec.name), findAlias(registry, rec, req.params.Name!)) };
      },
    },
    {
      method: "PUT",
      path: `${P}/aliases/{Name}`,
      operation: "UpdateAlias",
      handler: (req) => {
        const input = jsonBody<AliasInput>(req);
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "UpdateAlias"));
        const current = findAlias(registry, rec, req.params.Name!);
        if (input.RevisionId !== undefined && input.RevisionId !== current.revisionId) {
          throw new AwsError("PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
        const alias = checkAlias(registry, rec, {
          name: current.name,
          functionVersion: input.FunctionVersion ?? current.functionVersion,
          description: input.Description ?? current.description,
          // Weights the service holds the alias on (provisioned concurrency moving) are not the user's.
          additionalVersionWeights: input.RoutingConfig !== undefined ? input.RoutingConfig.AdditionalVersionWeights : current.heldFor === undefined ? current.additionalVersionWeights : undefined,
          revisionId: registry.newRevisionId(),
        });
        moves?.checkAliasMove(rec.name, alias);
        registry.saveAlias(rec.name, alias);
        return { body: aliasConfiguration(registry.arn(rec.name), alias) };
      },
    },
    {
      method: "DELETE",
      path: `${P}/aliases/{Name}`,
      operation: "DeleteAlias",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "DeleteAlias"));
        registry.deleteAlias(rec.name, req.params.Name!);
        return { status: 204 };
      },
    },
  ];
}

function findAlias(registry: FunctionRegistry, rec: FunctionRecord, name: string): AliasRecord {
  const alias = rec.aliases.get(name);
  if (alias === undefined) throw lambdaErrors.resourceNotFound(`Cannot find alias arn: ${registry.arn(rec.name)}:${name}`);
  return alias;
}

/** Alias rules (aws-facts §11): existing versions, at most one weighted extra, no $LATEST with weights. */
function checkAlias(registry: FunctionRegistry, rec: FunctionRecord, alias: AliasRecord): AliasRecord {
  const arn = registry.arn(rec.name);
  const exists = (v: string) => v === "$LATEST" || rec.versions.has(v);
  if (alias.functionVersion === "") throw validationError("null", "functionVersion", "Member must not be null");
  if (!exists(alias.functionVersion)) throw lambdaErrors.functionNotFound(`${arn}:${alias.functionVersion}`);
  const weights = alias.additionalVersionWeights;
  if (weights === undefined || Object.keys(weights).length === 0) return { ...alias, additionalVersionWeights: undefined };
  const entries = Object.entries(weights);
  if (entries.length > 1) {
    throw validationError(JSON.stringify(weights), "routingConfig.additionalVersionWeights", "Map value must satisfy constraint: [Member must have length less than or equal to 1]");
  }
  const [version, weight] = entries[0]!;
  if (typeof weight !== "number" || weight < 0 || weight > 1) {
    throw validationError(weight, `routingConfig.additionalVersionWeights.${version}`, "Member must have value less than or equal to 1.0 and greater than or equal to 0.0");
  }
  if (alias.functionVersion === "$LATEST" || version === "$LATEST") {
    throw lambdaErrors.invalidParameterValue("$LATEST is not supported for an alias pointing to more than 1 version");
  }
  if (!exists(version)) throw lambdaErrors.functionNotFound(`${arn}:${version}`);
  if (version === alias.functionVersion) {
    throw lambdaErrors.invalidParameterValue(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
  }
  // "Both versions must have the same execution role ... the same dead-letter queue configuration,
  // or no dead-letter queue configuration" (Lambda guide, weighted aliases; newuser10 N1-3: a canary
  // refused on AWS passed here). The role message is AWS's (serverless-aws-alias#64); the DLQ one ours.
  const [primary, other] = [rec.versions.get(alias.functionVersion)!, rec.versions.get(version)!];
  if (primary.role !== other.role) throw lambdaErrors.invalidParameterValue("Specified versions must be associated with the same execution role");
  if (primary.deadLetterTargetArn !== other.deadLetterTargetArn) throw lambdaErrors.invalidParameterValue("Specified versions must have the same dead-letter queue configuration");
  return alias;
}

function lastPublished(rec: FunctionRecord): FunctionVersionConfig | undefined {
  return rec.versions.get(String(rec.nextVersion - 1));
}

const PUBLISHED_FIELDS = ["codeSha256", "runtime", "handler", "role", "memorySize", "timeout", "ephemeralStorageSize", "environment", "architectures", "deadLetterTargetArn"] as const;

function unchangedSince(last: FunctionVersionConfig, latest: FunctionVersionConfig): boolean {
  return PUBLISHED_FIELDS.every((k) => JSON.stringify(last[k]) === JSON.stringify(latest[k]));
}
