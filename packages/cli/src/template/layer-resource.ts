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
  const dir = await codeDirectory(id, { uri }, place, [...base, key]);
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
