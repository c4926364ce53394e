import { functionUrlAddress, type Source } from "@lambda-sim/core";
import { FunctionUrlFront, LAMBDA_URL_HOST_LABEL, LAMBDA_URL_PREFIX, URL_MAX_BODY_BYTES } from "./function-url-front.ts";

/** What `/_sim/state` and the start banner show of one Function URL. */
export interface FunctionUrlView {
  functionName: string;
  qualifier?: string;
  authType: string;
  invokeMode: string;
  /** Host form (as CreateFunctionUrlConfig returns it) and path form. */
  url: string;
  pathUrl: string;
}

/**
 * Function URLs (issue 18): the configs are Lambda's (CreateFunctionUrlConfig, `functionUrl:` in
 * lambda-sim.yaml); this source serves them on the one port at `/_aws/lambda-url/{urlId}/...` and
 * `{urlId}.lambda-url.{region}.localhost:PORT/...`, through the Invoker.
 */
export const functionUrlsSource: Source = {
  name: "function-urls",
  migrations: [],
  start(ctx) {
    const front = new FunctionUrlFront({
      urls: ctx.functionUrls,
      invoker: ctx.invoker,
      telemetry: ctx.telemetry,
      clock: ctx.clock,
      ids: ctx.rng.stream("function-url-requests"),
      accountId: ctx.accountId,
      region: ctx.region,
      verifySignature: ctx.verifySignature,
    });
    ctx.router.addFront({ name: "lambda-url", pathPrefix: LAMBDA_URL_PREFIX, hostLabel: LAMBDA_URL_HOST_LABEL, handler: front.handle, maxBodyBytes: URL_MAX_BODY_BYTES, refuseTooLarge: front.refuseTooLarge });
    ctx.addStateView("functionUrls", (): FunctionUrlView[] =>
      ctx.functionUrls.all().map((u) => ({
        functionName: u.functionName,
        ...(u.qualifier === undefined ? {} : { qualifier: u.qualifier }),
        authType: u.authType,
        invokeMode: u.invokeMode,
        url: functionUrlAddress(u.urlId, ctx.region, ctx.endpoint),
        pathUrl: `${ctx.endpoint}${LAMBDA_URL_PREFIX}${u.urlId}/`,
      })),
    );
  },
};
