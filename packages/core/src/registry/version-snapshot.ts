import type { CodeStore } from "./code-store.ts";
import type { FunctionVersionConfig } from "./function-model.ts";

/**
 * What PublishVersion snapshots of $LATEST (aws-facts §11: a version's code and configuration
 * are immutable), and whether anything changed since the last version: when nothing did, AWS
 * returns that version instead of publishing a new one.
 */
export const versionSnapshot = {
  /**
   * Whether two versions have the same code and configuration, leaving out what differs between
   * any two versions. The code is its CodeSha256: a published version's codeDir is its own copy
   * of $LATEST's folder.
   */
  same(a: FunctionVersionConfig, b: FunctionVersionConfig): boolean {
    return snapshotOf(a) === snapshotOf(b);
  },

  /**
   * The code directory of a version published from `latest`. API-uploaded code already is
   * immutable (one directory per zip's sha256); a declared function's folder, which $LATEST uses
   * in place (edit and restart), is copied for the version as it is now (CodeStore.snapshot:
   * unchanged files shared with `previous`, the last version's copy). A `model` function has no
   * code. Undefined: the version runs from $LATEST's codeDir.
   */
  code(code: CodeStore, functionName: string, latest: FunctionVersionConfig, previous: FunctionVersionConfig | undefined): Pick<FunctionVersionConfig, "codeDir"> | undefined {
    if (latest.runtime === "model" || code.owns(latest.codeDir)) return undefined;
    return { codeDir: code.snapshot(functionName, latest.codeDir, latest.codeSha256, previous?.codeDir) };
  },
};

function snapshotOf(c: FunctionVersionConfig): string {
  // Directories are where the code is, not what it is (a moved project's are elsewhere): layers by ARN.
  const { version: _v, revisionId: _r, lastModified: _l, description: _d, codeDir: _c, optDir: _o, layers, ...rest } = c;
  return JSON.stringify({ ...rest, layers: layers?.map((l) => l.arn) });
}
