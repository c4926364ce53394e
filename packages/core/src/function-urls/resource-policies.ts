import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { Store } from "../store/store.ts";

/** AddPermission's input (botocore AddPermissionRequest), as the API takes it. */
export interface PermissionInput {
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  PrincipalOrgID?: string;
  EventSourceToken?: string;
  FunctionUrlAuthType?: string;
  InvokedViaFunctionUrl?: boolean;
}

/**
 * Functions' resource-based policies (AddPermission / GetPolicy / RemovePermission), kept so that
 * deploy tools that grant `lambda:InvokeFunctionUrl` or `lambda:InvokeFunction` find them again.
 * lambda-sim stores them; it does not evaluate them (README: what is not simulated).
 */
export class ResourcePolicies {
  private readonly store: Store;
  private readonly registry: FunctionRegistry;
  private readonly revisions: RandomStream;

  constructor(opts: { store: Store; registry: FunctionRegistry; revisions: RandomStream }) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.revisions = opts.revisions;
    // Statements of functions removed while the simulator was down (gone from lambda-sim.yaml) go too.
    const names = this.store.db.prepare("SELECT DISTINCT function_name FROM function_policy_statements").pluck().all() as string[];
    for (const name of names) if (!this.registry.has(name)) this.store.db.prepare("DELETE FROM function_policy_statements WHERE function_name = ?").run(name);
    this.registry.onChange((c) => {
      if (c.kind !== "deleted") return;
      if (c.version === "$LATEST") this.store.db.prepare("DELETE FROM function_policy_statements WHERE function_name = ?").run(c.functionName);
      else this.store.db.prepare("DELETE FROM function_policy_statements WHERE function_name = ? AND qualifier = ?").run(c.functionName, c.version);
    });
  }

  /** The statement as AWS writes it into the policy (the `Statement` of AddPermission's answer). */
  add(functionName: string, qualifier: string | undefined, input: PermissionInput): Record<string, unknown> {
    const resource = this.registry.arn(functionName) + (qualifier === undefined ? "" : `:${qualifier}`);
    const exists = this.store.db.prepare("SELECT 1 FROM function_policy_statements WHERE function_name = ? AND qualifier = ? AND sid = ?").get(functionName, qualifier ?? "", input.StatementId);
    if (exists !== undefined) {
      throw lambdaErrors.resourceConflict(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const statement = policyStatement(resource, input);
    const seq = (this.store.db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM function_policy_statements").pluck().get() as number) ?? 1;
    this.store.db.prepare("INSERT INTO function_policy_statements (function_name, qualifier, sid, statement, seq) VALUES (?, ?, ?, ?, ?)").run(functionName, qualifier ?? "", input.StatementId, JSON.stringify(statement), seq);
    return statement;
  }

  /** GetPolicy's `Policy` document, or ResourceNotFoundException when there is none. */
  get(functionName: string, qualifier: string | undefined): { Policy: string; RevisionId: string } {
    const rows = this.store.db.prepare("SELECT statement FROM function_policy_statements WHERE function_name = ? AND qualifier = ? ORDER BY seq").pluck().all(functionName, qualifier ?? "") as string[];
    if (rows.length === 0) throw lambdaErrors.resourceNotFound("The resource you requested does not exist.");
    const policy = { Version: "2012-10-17", Id: "default", Statement: rows.map((r) => JSON.parse(r) as unknown) };
    return { Policy: JSON.stringify(policy), RevisionId: this.revisions.uuid() };
  }

  remove(functionName: string, qualifier: string | undefined, sid: string): void {
    const out = this.store.db.prepare("DELETE FROM function_policy_statements WHERE function_name = ? AND qualifier = ? AND sid = ?").run(functionName, qualifier ?? "", sid);
    if (out.changes === 0) throw lambdaErrors.resourceNotFound(`Statement ${sid} is not found in resource policy.`);
  }
}

/**
 * An IAM statement as Lambda builds it from AddPermission: a service principal as `{"Service"}`,
 * an account or ARN as `{"AWS"}`, `*` as is; conditions from SourceArn, SourceAccount,
 * PrincipalOrgID, EventSourceToken and FunctionUrlAuthType.
 */
function policyStatement(resource: string, p: PermissionInput): Record<string, unknown> {
  const principal = p.Principal === "*" ? "*" : p.Principal.endsWith(".amazonaws.com") ? { Service: p.Principal } : /^\d{12}$/.test(p.Principal) ? { AWS: `arn:aws:iam::${p.Principal}:root` } : { AWS: p.Principal };
  const condition: Record<string, Record<string, unknown>> = {};
  const add = (op: string, k: string, v: unknown) => ((condition[op] ??= {})[k] = v);
  if (p.SourceAccount !== undefined) add("StringEquals", "AWS:SourceAccount", p.SourceAccount);
  if (p.PrincipalOrgID !== undefined) add("StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID);
  if (p.EventSourceToken !== undefined) add("StringEquals", "lambda:EventSourceToken", p.EventSourceToken);
  if (p.FunctionUrlAuthType !== undefined) add("StringEquals", "lambda:FunctionUrlAuthType", p.FunctionUrlAuthType);
  if (p.InvokedViaFunctionUrl === true) add("Bool", "lambda:InvokedViaFunctionUrl", "true");
  if (p.SourceArn !== undefined) add("ArnLike", "AWS:SourceArn", p.SourceArn);
  const out: Record<string, unknown> = { Sid: p.StatementId, Effect: "Allow", Principal: principal, Action: p.Action, Resource: resource };
  if (Object.keys(condition).length > 0) out.Condition = condition;
  return out;
}
