import { stableUuid, identityOf, nameProperty, type ResourceIdentity, type StackInfo } from "./resource-identity.ts";
import { IntrinsicResolver, NO_VALUE, TemplateError, type IntrinsicScope, type TemplatePath } from "./intrinsics.ts";
import { templateParameters, type ParameterOrigin } from "./template-parameters.ts";
import { includedSnippet } from "./local-documents.ts";
import { samDestinationId } from "./sam-generated-queues.ts";

export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
  Metadata?: Record<string, unknown>;
  DependsOn?: unknown;
}

/**
 * One template as a stack: its parameters (defaults and overrides), pseudo parameters, Mappings,
 * Conditions, and every resource's Ref and attributes, looked up lazily so that a name built from
 * another resource's name works and a cycle is reported instead of looping.
 */
export class TemplateStack implements IntrinsicScope {
  readonly info: StackInfo;
  readonly resources: Record<string, TemplateResource>;
  readonly resolver: IntrinsicResolver;
  readonly problems: TemplateError[] = [];
  private readonly template: Record<string, unknown>;
  private readonly parameters: Map<string, string | string[]>;
  private readonly conditions = new Map<string, boolean>();
  private readonly evaluating: string[] = [];
  private readonly identities = new Map<string, ResourceIdentity>();
  private readonly naming: string[] = [];

  constructor(template: Record<string, unknown>, resources: Record<string, TemplateResource>, info: StackInfo, overrides: Record<string, string>, overridesOrigin?: ParameterOrigin) {
    this.template = template;
    this.info = info;
    this.resources = resources;
    this.resolver = new IntrinsicResolver(this);
    this.parameters = templateParameters(template.Parameters, overrides, this.problems, overridesOrigin);
  }

  get region(): string {
    return this.info.region;
  }

  /** Whether a resource exists in this stack: its Condition, if any, holds. */
  included(logicalId: string): boolean {
    const c = this.resources[logicalId]?.Condition;
    return c === undefined || this.condition(c, ["Resources", logicalId, "Condition"]);
  }

  ref(name: string, path: TemplatePath): unknown {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    if (this.parameters.has(name)) return this.parameters.get(name);
    // Declared, but its value was refused or never given (said once, at the parameter): not "no parameter is named" (review37 #18).
    if (Object.hasOwn((this.template.Parameters ?? {}) as object, name)) throw new TemplateError(path, `!Ref ${name}: parameter ${name} has no usable value`);
    // SAM's own Ref forms: `MyFunction.Alias` and `MyFunction.Version` (AutoPublishAlias).
    const sam = /^(.+)\.(Alias|Version)$/.exec(name);
    if (sam !== null && this.resources[sam[1]!]?.Type === "AWS::Serverless::Function") {
      const fn = this.identity(sam[1]!, path);
      const alias = this.resources[sam[1]!]!.Properties.AutoPublishAlias;
      if (typeof alias !== "string") throw new TemplateError(path, `!Ref ${name}: ${sam[1]} has no AutoPublishAlias`);
      // The version AutoPublishAlias publishes first; later ones are numbered on from it.
      return sam[2] === "Alias" ? `${fn.attributes.Arn}:${alias}` : `${fn.attributes.Arn}:1`;
    }
    const created = this.samDestination(name);
    if (created !== undefined) return this.identity(created, path).ref;
    const implicit = this.implicit(name, path);
    if (implicit !== undefined) return implicit.ref;
    if (this.resources[name] === undefined) return undefined;
    return this.identity(name, path).ref;
  }

  transform(arg: unknown, path: TemplatePath): unknown {
    return includedSnippet(this.info.baseDir ?? ".", arg, path, (v, p) => this.resolver.resolve(v, p));
  }

  getAtt(logicalId: string, attribute: string, path: TemplatePath): unknown {
    // `Fn.DestinationQueue.Arn`, short (split at the first dot) or long ([Fn.DestinationQueue, Arn]).
    const dot = attribute.indexOf(".");
    const whole = this.samDestination(logicalId);
    const created = whole ?? (dot > 0 ? this.samDestination(`${logicalId}.${attribute.slice(0, dot)}`) : undefined);
    if (created !== undefined) {
      const attr = whole === undefined ? attribute.slice(dot + 1) : attribute;
      return this.attribute(this.identity(created, path), created, this.resources[created]!.Type, attr, path);
    }
    const implicit = this.implicit(logicalId, path);
    if (implicit !== undefined) return this.attribute(implicit, logicalId, logicalId.endsWith("Url") ? "AWS::Lambda::Url" : "AWS::IAM::Role", attribute, path);
    const r = this.resources[logicalId];
    if (r === undefined) throw new TemplateError(path, `!GetAtt ${logicalId}.${attribute}: no resource is named ${logicalId}`);
    return this.attribute(this.identity(logicalId, path), logicalId, r.Type, attribute, path);
  }

  mapping(name: string): Record<string, Record<string, unknown>> | undefined {
    const m = (this.template.Mappings as Record<string, unknown> | undefined)?.[name];
    return m !== null && typeof m === "object" ? (m as Record<string, Record<string, unknown>>) : undefined;
  }

  condition(name: string, path: TemplatePath): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const all = (this.template.Conditions ?? {}) as Record<string, unknown>;
    if (!(name in all)) throw new TemplateError(path, `no condition is named ${name}`);
    if (this.evaluating.includes(name)) throw new TemplateError(["Conditions", name], `circular condition: ${[...this.evaluating, name].join(" → ")}`);
    this.evaluating.push(name);
    try {
      const value = this.resolver.evaluateCondition(all[name], ["Conditions", name]);
      this.conditions.set(name, value);
      return value;
    } finally {
      this.evaluating.pop();
    }
  }

  /** The resource's Ref and attributes; its name property is resolved on first use. */
  identity(logicalId: string, path: TemplatePath): ResourceIdentity {
    const known = this.identities.get(logicalId);
    if (known !== undefined) return known;
    const r = this.resources[logicalId]!;
    if (!this.included(logicalId)) throw new TemplateError(path, `${logicalId} is not created: its condition ${r.Condition} is false`);
    // Said at the reference that closes the circle (`path`), as the dependency check says its cycles.
    if (this.naming.includes(logicalId)) throw new TemplateError(path, `circular reference: ${[...this.naming, logicalId].join(" → ")}`);
    this.naming.push(logicalId);
    try {
      const prop = nameProperty(r.Type);
      const named = prop === undefined || r.Properties[prop] === undefined ? undefined : this.resolver.resolve(r.Properties[prop], ["Resources", logicalId, "Properties", prop]);
      // The other properties an identity reads: a queue's FifoQueue, a topic's FifoTopic, a schedule's GroupName, a version's or alias's FunctionName, a rule's EventBusName.
      const extra: Record<string, unknown> = {};
      for (const key of ["FifoQueue", "FifoTopic", "GroupName", "FunctionName", "EventBusName"]) {
        if (key !== prop && r.Properties[key] !== undefined) extra[key] = this.resolver.resolve(r.Properties[key], ["Resources", logicalId, "Properties", key]);
      }
      const id = identityOf(r.Type, logicalId, named, extra, this.info);
      this.identities.set(logicalId, id);
      return id;
    } finally {
      this.naming.pop();
    }
  }

  private attribute(id: ResourceIdentity, logicalId: string, type: string, attribute: string, path: TemplatePath): string {
    const value = id.attributes[attribute];
    if (value !== undefined) return value;
    // Resources lambda-sim does not simulate have no known attributes: a placeholder keeps the
    // template usable (an environment variable naming a table, say) without pretending.
    if (Object.keys(id.attributes).length === 0 || type.startsWith("AWS::Serverless::Api") || type.startsWith("AWS::ApiGateway")) return `lambda-sim:unsimulated:${logicalId}.${attribute}`;
    throw new TemplateError(path, `!GetAtt ${logicalId}.${attribute}: ${type} has no attribute ${attribute} (it has ${Object.keys(id.attributes).join(", ")})`);
  }

  /** The logical id of the queue or topic SAM's `Fn.DestinationQueue` / `Fn.DestinationTopic` names, if it is one. */
  private samDestination(name: string): string | undefined {
    const m = /^([^.]+)\.(DestinationQueue|DestinationTopic)$/.exec(name);
    if (m === null || this.resources[m[1]!]?.Type !== "AWS::Serverless::Function") return undefined;
    return samDestinationId(this.resources, m[1]!, m[2] as "DestinationQueue" | "DestinationTopic");
  }

  /**
   * Resources SAM generates beside a function: `<Function>Role` when it names no Role, and
   * `<Function>Url` for a FunctionUrlConfig (its FunctionUrl in the simulator's URL convention,
   * DESIGN.md "HTTP surface"), served by the function-urls source under the same id.
   */
  private implicit(name: string, path: TemplatePath): ResourceIdentity | undefined {
    if (this.resources[name] !== undefined) return undefined;
    // The APIs SAM creates for Api and HttpApi events that name none.
    if (name === "ServerlessRestApi" || name === "ServerlessHttpApi") return identityOf(name === "ServerlessRestApi" ? "AWS::Serverless::Api" : "AWS::Serverless::HttpApi", name, undefined, {}, this.info);
    const suffix = name.endsWith("Role") ? "Role" : name.endsWith("Url") ? "Url" : undefined;
    if (suffix === undefined) return undefined;
    const fnId = name.slice(0, -suffix.length);
    const fn = this.resources[fnId];
    if (fn?.Type !== "AWS::Serverless::Function") return undefined;
    if (suffix === "Role") return fn.Properties.Role === undefined ? identityOf("AWS::IAM::Role", name, undefined, {}, this.info) : undefined;
    if (fn.Properties.FunctionUrlConfig === undefined) return undefined;
    // With AutoPublishAlias the URL is the alias's (SAM's TargetFunctionArn: the alias ARN).
    const alias = fn.Properties.AutoPublishAlias;
    const arn = `${this.identity(fnId, path).attributes.Arn!}${typeof alias === "string" ? `:${alias}` : ""}`;
    const urlId = this.functionUrlId(fnId);
    const port = /:(\d+)$/.exec(this.info.endpoint)?.[1];
    return { name: urlId, ref: arn, attributes: { FunctionArn: arn, FunctionUrl: `http://${urlId}.lambda-url.${this.info.region}.localhost${port === undefined ? "" : `:${port}`}/` } };
  }

  /** The url id of a function's FunctionUrlConfig: the same at every start of the same stack. */
  functionUrlId(functionLogicalId: string): string {
    return stableUuid(`${this.info.stackName}/${functionLogicalId}Url`).replace(/-/g, "");
  }

  private pseudo(name: string): unknown {
    const { region, accountId, stackName } = this.info;
    switch (name) {
      case "AWS::Region":
        return region;
      case "AWS::AccountId":
        return accountId;
      case "AWS::StackName":
        return stackName;
      case "AWS::StackId":
        return `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${stableUuid(stackName)}`;
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::NotificationARNs":
        return [];
      case "AWS::NoValue":
        return NO_VALUE;
    }
    return undefined;
  }
}
