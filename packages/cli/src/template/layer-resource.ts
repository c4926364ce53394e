import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { snapshotDirectory } from "@lambda-sim/core";
import { codeDirectory, type CodePlace } from "./function-code.ts";
import { TemplateError } from "./intrinsics.ts";
import type { TemplateStack } from "./template-stack.ts";
import { defined, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/**
 * `AWS::Serverless::LayerVersion` (ContentUri) and `AWS::Lambda::LayerVersion` (Content, as a
 * local path the way `aws cloudformation package` takes it) as a lambda-sim.yaml `layers:` entry:
 * a folder or a zip unpacked, copied for each version it publishes (layer-registry.ts). Content in
 * S3 is not reachable offline.
 */
export async function translateLayer(t: Translation, stack: TemplateStack, id: string, type: string, p: Props, place: CodePlace): Promise<void> {
  const base = ["Resources", id, "Properties"];
  const name = stack.identity(id, base).name;
  const serverless = type === "AWS::Serverless::LayerVersion";
  const key = serverless ? "ContentUri" : "Content";
  const uri = p[key];
  if (uri !== null && typeof uri === "object") throw new TemplateError([...base, key], "expected a local folder or zip file: layer content in S3 is not reachable offline");
  const source = await codeDirectory(id, { uri }, place, [...base, key]);
  const metadata = stack.resolver.resolve(stack.resources[id]!.Metadata ?? {}, ["Resources", id, "Metadata"]) as Props;
  const dir = builtLayer(t, id, source, metadata.BuildMethod, join(place.codeRoot, "build", id));
  t.config.layers[name] = defined({
    contentUri: dir,
    description: p.Description,
    compatibleRuntimes: p.CompatibleRuntimes,
    compatibleArchitectures: p.CompatibleArchitectures,
    licenseInfo: p.LicenseInfo,
  });
  t.origins.push({ native: ["layers", name], template: base, keys: { contentUri: key } });
  t.said(id, `layer ${name}`);
}

/**
 * A layer with a runtime's BuildMethod is what `sam build` makes of it: its content under the
 * runtime's folder of /opt (aws-sam-cli get_layer_subfolder: python3.x → python, nodejsNN.x →
 * nodejs, ruby → ruby/lib, java → java, dotnet → dotnet; makefile: the user's own layout), so
 * `/opt/python/shared` imports (newuser13 N13-13: it was mounted as written). Dependencies are not
 * installed (requirements.txt, package.json): said at start. Laid out again at each start (and
 * template reload), as a snapshot of the last layout: files unchanged since are hard-linked from
 * it, so a large layer costs its changed files, not a copy of every byte (review23 L11).
 */
function builtLayer(t: Translation, id: string, source: string, method: unknown, buildDir: string): string {
  if (typeof method !== "string" || method === "makefile") return source;
  const sub = LAYER_FOLDERS.find(([prefix]) => method.startsWith(prefix))?.[1];
  if (sub === undefined) {
    t.notSimulated.push(`${id} (BuildMethod ${method}: content used as it is)`);
    return source;
  }
  const previous = `${buildDir}.previous`;
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(buildDir)) renameSync(buildDir, previous);
  snapshotDirectory(source, join(buildDir, sub), { previous: join(previous, sub) });
  rmSync(previous, { recursive: true, force: true });
  for (const file of ["requirements.txt", "package.json"]) if (existsSync(join(source, file))) t.notSimulated.push(`${id} (BuildMethod ${method}: ${file} not installed; sam build would install its dependencies)`);
  return buildDir;
}

const LAYER_FOLDERS: readonly [string, string][] = [["python", "python"], ["nodejs", "nodejs"], ["ruby", "ruby/lib"], ["java", "java"], ["dotnet", "dotnet"]];
