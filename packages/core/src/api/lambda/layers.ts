import type { CodeLocations } from "./code-locations.ts";
import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import type { LayerPolicy, LayerRegistry, LayerVersionRecord } from "../../registry/layer-registry.ts";
import { LIST_LIMITS, page } from "./pagination.ts";

const P = "/2018-10-31/layers";

interface PublishInput {
  Content?: { ZipFile?: string; S3Bucket?: string; S3Key?: string };
  Description?: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

/**
 * The layer operations of the Lambda API (botocore lambda 2015-03-31, paths under /2018-10-31):
 * versions, lists and layer version permissions. Permissions are stored and returned as AWS
 * shapes them; nothing enforces them (lambda-sim has one account).
 */
export function layerRoutes(layers: LayerRegistry, locations: CodeLocations): RestRoute[] {
  const version = (req: RestRequest) => layers.get(req.params.LayerName!, Number(req.params.VersionNumber));
  return [
    {
      method: "POST",
      path: `${P}/{LayerName}/versions`,
      operation: "PublishLayerVersion",
      handler: async (req) => {
        const input = jsonBody<PublishInput>(req);
        const zip = zipFrom(input.Content);
        const meta = { description: input.Description ?? "", licenseInfo: input.LicenseInfo, compatibleRuntimes: input.CompatibleRuntimes, compatibleArchitectures: input.CompatibleArchitectures };
        return { status: 201, body: layerVersionShape(layers, locations, await layers.publish(req.params.LayerName!, zip, meta)) };
      },
    },
    {
      method: "GET",
      path: `${P}/{LayerName}/versions`,
      operation: "ListLayerVersions",
      handler: (req) => {
        const list = layers.versions(req.params.LayerName!, filter(req, "CompatibleRuntime"), filter(req, "CompatibleArchitecture"));
        // Newest first, as the registry lists them.
        return page(list, req, "LayerVersions", { ...LIST_LIMITS.ListLayerVersions, position: (r) => [-r.version] }, (r) => listItem(layers, r));
      },
    },
    {
      method: "GET",
      path: P,
      operation: "ListLayers",
      handler: (req) => {
        // GetLayerVersionByArn shares the path, told apart by `find=LayerVersion`.
        if (req.query.get("find") === "LayerVersion") return { body: layerVersionShape(layers, locations, layers.getByArn(req.query.get("Arn") ?? "")) };
        const list = layers.list(filter(req, "CompatibleRuntime"), filter(req, "CompatibleArchitecture"));
        return page(list, req, "Layers", { ...LIST_LIMITS.ListLayers, position: (l) => [l.name] }, (l) => ({ LayerName: l.name, LayerArn: layers.layerArn(l.name), LatestMatchingVersion: listItem(layers, l.latest) }));
      },
    },
    {
      method: "GET",
      path: `${P}/{LayerName}/versions/{VersionNumber}`,
      operation: "GetLayerVersion",
      handler: (req) => ({ body: layerVersionShape(layers, locations, version(req)) }),
    },
    {
      method: "DELETE",
      path: `${P}/{LayerName}/versions/{VersionNumber}`,
      operation: "DeleteLayerVersion",
      handler: (req) => {
        layers.delete(req.params.LayerName!, Number(req.params.VersionNumber));
        return { status: 204 };
      },
    },
    {
      method: "POST",
      path: `${P}/{LayerName}/versions/{VersionNumber}/policy`,
      operation: "AddLayerVersionPermission",
      handler: (req) => {
        const input = jsonBody<{ StatementId: string; Action: string; Principal: string; OrganizationId?: string }>(req);
        const record = permissionTarget(layers, req);
        const policy: LayerPolicy = record.policy ?? { revisionId: "", statements: [] };
        checkPolicyRevision(policy, req);
        if (policy.statements.some((s) => s.Sid === input.StatementId)) {
          throw lambdaErrors.resourceConflict(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
        }
        const statement: LayerPolicy["statements"][number] = { Sid: input.StatementId, Effect: "Allow", Principal: input.Principal, Action: input.Action, Resource: layers.versionArn(record.name, record.version) };
        if (input.OrganizationId !== undefined) statement.Condition = { StringEquals: { "aws:PrincipalOrgID": input.OrganizationId } };
        const next = { revisionId: layers.newRevisionId(), statements: [...policy.statements, statement] };
        layers.savePolicy(record, next);
        return { status: 201, body: { Statement: JSON.stringify(statement), RevisionId: next.revisionId } };
      },
    },
    {
      method: "GET",
      path: `${P}/{LayerName}/versions/{VersionNumber}/policy`,
      operation: "GetLayerVersionPolicy",
      handler: (req) => {
        const policy = permissionTarget(layers, req).policy;
        if (policy === undefined || policy.statements.length === 0) throw lambdaErrors.resourceNotFound("No policy is associated with the given resource.");
        return { body: { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: policy.statements }), RevisionId: policy.revisionId } };
      },
    },
    {
      method: "DELETE",
      path: `${P}/{LayerName}/versions/{VersionNumber}/policy/{StatementId}`,
      operation: "RemoveLayerVersionPermission",
      handler: (req) => {
        const record = permissionTarget(layers, req);
        const policy = record.policy ?? { revisionId: "", statements: [] };
        checkPolicyRevision(policy, req);
        const sid = req.params.StatementId!;
        if (!policy.statements.some((s) => s.Sid === sid)) throw lambdaErrors.resourceNotFound(`Statement ${sid} is not found in resource policy.`);
        layers.savePolicy(record, { revisionId: layers.newRevisionId(), statements: policy.statements.filter((s) => s.Sid !== sid) });
        return { status: 204 };
      },
    },
  ];
}

/** GetLayerVersion / PublishLayerVersion's shape (botocore GetLayerVersionResponse). */
export function layerVersionShape(layers: LayerRegistry, locations: CodeLocations, r: LayerVersionRecord): Record<string, unknown> {
  return {
    Content: { Location: locations.layerLocation(r), CodeSha256: r.codeSha256, CodeSize: r.codeSize },
    LayerArn: layers.layerArn(r.name),
    ...listItem(layers, r),
  };
}

function listItem(layers: LayerRegistry, r: LayerVersionRecord): Record<string, unknown> {
  return {
    LayerVersionArn: layers.versionArn(r.name, r.version),
    Version: r.version,
    Description: r.description,
    CreatedDate: r.createdDate,
    CompatibleRuntimes: r.compatibleRuntimes,
    LicenseInfo: r.licenseInfo,
    CompatibleArchitectures: r.compatibleArchitectures,
  };
}

/** The permission operations name a missing version in their message (LocalStack's AWS recordings). */
function permissionTarget(layers: LayerRegistry, req: RestRequest): LayerVersionRecord {
  try {
    return layers.get(req.params.LayerName!, Number(req.params.VersionNumber));
  } catch (e) {
    if (e instanceof AwsError && e.code === "ResourceNotFoundException") {
      const name = req.params.LayerName!.split(":").pop()!;
      throw lambdaErrors.resourceNotFound(`Layer version ${layers.versionArn(name, Number(req.params.VersionNumber))} does not exist.`);
    }
    throw e;
  }
}

function checkPolicyRevision(policy: LayerPolicy, req: RestRequest): void {
  const revision = req.query.get("RevisionId");
  if (revision !== null && revision !== policy.revisionId) {
    throw new AwsError("PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id");
  }
}

function filter(req: RestRequest, key: string): string | undefined {
  return req.query.get(key) ?? undefined;
}

function zipFrom(content: PublishInput["Content"]): Buffer {
  if (content?.S3Bucket !== undefined) throw lambdaErrors.invalidParameterValue("lambda-sim does not read layer content from S3; upload it with Content.ZipFile.");
  if (typeof content?.ZipFile !== "string" || content.ZipFile === "") throw lambdaErrors.invalidParameterValue("Please provide a source for layer content.");
  return Buffer.from(content.ZipFile, "base64");
}
