import { z } from "zod";
import { resolve } from "node:path";

/**
 * A layer declared in lambda-sim.yaml (`layers:`) or a template (AWS::Serverless::LayerVersion,
 * AWS::Lambda::LayerVersion), after validation: its content is a directory (a zip is unpacked
 * first, by unpackLayerZip). Published as a new version, with its own copy of the directory, only
 * when it changed (LayerRegistry.publishDirectory).
 */
export interface LayerDefinition {
  layerName: string;
  /** Absolute path of the content directory. */
  dir: string;
  description?: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
}

/** One entry of `layers:` in lambda-sim.yaml: PublishLayerVersion's parameters in lowerCamelCase. */
export const layerSchema = z.strictObject(
  {
    contentUri: z.string({ error: "expected the path of the layer's folder or .zip" }),
    description: z.string({ error: "expected a string" }).max(256, { error: "expected at most 256 characters" }).optional(),
    compatibleRuntimes: z.array(z.string({ error: "expected a runtime such as nodejs24.x" }), { error: "expected a list of runtimes" }).max(15, { error: "expected at most 15 runtimes" }).optional(),
    compatibleArchitectures: z.array(z.enum(["x86_64", "arm64"], { error: "expected x86_64 or arm64" }), { error: "expected a list of architectures" }).max(2, { error: "expected at most 2 architectures" }).optional(),
    licenseInfo: z.string({ error: "expected a string" }).max(512, { error: "expected at most 512 characters" }).optional(),
  },
  { error: (issue) => (issue.code === "invalid_type" ? "expected a map of layer settings (contentUri, compatibleRuntimes, ...)" : undefined) },
);

export type LayerEntry = z.output<typeof layerSchema>;

/** Layer names (AWS): letters, digits, hyphens and underscores, 1-140 characters. */
export const LAYER_NAME_PATTERN = /^[a-zA-Z0-9-_]{1,140}$/;

/** `contentUri` resolved against the config's directory (a .zip still to be unpacked). */
export function toLayerDefinition(name: string, l: LayerEntry, baseDir: string): LayerDefinition {
  return { layerName: name, dir: resolve(baseDir, l.contentUri), description: l.description, compatibleRuntimes: l.compatibleRuntimes, compatibleArchitectures: l.compatibleArchitectures, licenseInfo: l.licenseInfo };
}
