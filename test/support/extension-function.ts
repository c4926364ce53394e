import { CreateFunctionCommand, PublishLayerVersionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";

export interface ExtensionFunction {
  /** The executables of the layer's /opt/extensions, by file name. */
  extensions: Record<string, string>;
  /** The function's index.js (nodejs24.x, `index.handler`). */
  handler: string;
  /** Its environment (the extensions get it too): REPORT_URL, and what else they read. */
  variables: Record<string, string>;
  /** Seconds; AWS's default (3) if not given. */
  timeout?: number;
}

/**
 * Publishes `f.extensions` as a layer and creates the Node function `name` with it, as a user of
 * an extension (an observability vendor's layer) does: PublishLayerVersion, then CreateFunction
 * with `Layers`.
 */
export async function createExtensionFunction(lambda: LambdaClient, name: string, f: ExtensionFunction): Promise<void> {
  const extensions = Object.entries(f.extensions).map(([file, data]) => ({ name: `extensions/${file}`, data, mode: 0o755 }));
  const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: `${name}-ext`, Content: { ZipFile: await zipFiles(extensions) } }));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/x",
      Code: { ZipFile: await zipFiles([{ name: "index.js", data: f.handler }]) },
      Layers: [layer.LayerVersionArn!],
      Timeout: f.timeout,
      Environment: { Variables: f.variables },
    }),
  );
}
