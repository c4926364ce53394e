import { closeSync, constants, fchmodSync, mkdirSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve, sep } from "node:path";
import type { Entry } from "yauzl";
import { lambdaErrors } from "../errors/lambda-errors.ts";

/** 250 MB unzipped (aws-facts §3 "Other"). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
/** AWS's answer to a package it cannot unpack (InvalidParameterValueException). */
export const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/** The file type bits of a Unix mode, and a symbolic link's (`zip -y` stores links so). */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Unpacks a deployment package into `dest` (an empty staging directory), as Lambda's unzip does:
 * Unix modes kept (a `bootstrap` stays executable), symbolic links kept as links. Anything the
 * filesystem refuses (entries that collide, a file over a directory or under a file) is AWS's
 * InvalidParameterValueException "Could not unzip uploaded file", never an exception thrown out of
 * a zip event (which would end the simulator). Nothing is ever written outside `dest`: entries
 * whose name escapes it are refused (zip slip), and so is any entry at or under a link the
 * package made (writing there would follow the link wherever it points).
 */
export function extractZip(zip: Buffer, dest: string): Promise<void> {
  // yauzl at the first upload: a simulator serving code from disk never unzips (issue 16, idle RSS).
  const yauzl = createRequire(import.meta.url)("yauzl") as typeof import("yauzl");
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zipfile) => {
      if (err || zipfile === undefined) return reject(unzipFailed());
      let total = 0;
      let settled = false;
      const links = new Set<string>();
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        zipfile.close();
        reject(e);
      };
      /** Runs one filesystem step; false (and the upload refused) when it throws. */
      const attempt = (step: () => void): boolean => {
        try {
          step();
          return true;
        } catch {
          fail(unzipFailed());
          return false;
        }
      };
      const next = () => {
        if (!settled) zipfile.readEntry();
      };
      zipfile.on("error", (e: Error) => fail(escapes(e) ? zipSlip(e.message) : unzipFailed()));
      zipfile.on("end", () => {
        if (settled) return;
        settled = true;
        resolvePromise();
      });
      zipfile.on("entry", (entry: Entry) => {
        if (settled) return;
        const target = resolve(dest, entry.fileName);
        // `./` (some archivers write the root itself): nothing to make.
        if (target === dest && entry.fileName.endsWith("/")) return next();
        if (!target.startsWith(dest + sep)) return fail(zipSlip(entry.fileName));
        // AWS's handling of entries under a link is unrecorded: refused as a bad package, our choice.
        if (atOrUnderLink(target, dest, links)) return fail(unzipFailed());
        if (entry.fileName.endsWith("/")) {
          if (attempt(() => mkdirSync(target, { recursive: true }))) next();
          return;
        }
        total += entry.uncompressedSize;
        if (total > MAX_UNZIPPED_BYTES) {
          return fail(lambdaErrors.invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`));
        }
        zipfile.openReadStream(entry, (e, stream) => {
          if (e || stream === undefined) return fail(unzipFailed());
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", () => fail(unzipFailed()));
          stream.on("end", () => {
            if (settled) return;
            // Unix permissions and file type live in the high 16 bits of the external attributes.
            const mode = entry.externalFileAttributes >>> 16;
            const data = Buffer.concat(chunks);
            const ok = attempt(() => {
              mkdirSync(dirname(target), { recursive: true });
              if ((mode & S_IFMT) === S_IFLNK) {
                // Kept wherever it points, as AWS keeps `node_modules -> /opt/nodejs/node_modules` (vibe/aws-esm-modules-layer-support).
                symlinkSync(data.toString("utf8"), target);
                links.add(target);
              } else {
                writeEntry(target, data, mode & 0o777);
              }
            });
            if (ok) next();
          });
        });
      });
      zipfile.readEntry();
    });
  });
}

/**
 * Writes a file entry without following a link at its path (O_NOFOLLOW: a link the package made
 * is never written through). An entry repeated later replaces the earlier file, as unzip's
 * overwrite does; a directory there is a collision (EISDIR).
 */
function writeEntry(target: string, data: Buffer, mode: number): void {
  const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    writeFileSync(fd, data);
    fchmodSync(fd, mode === 0 ? 0o644 : mode | 0o400);
  } finally {
    closeSync(fd);
  }
}

/** Whether `target` is one of the links unpacked so far, or lies under one. */
function atOrUnderLink(target: string, dest: string, links: ReadonlySet<string>): boolean {
  if (links.size === 0) return false;
  for (let p = target; p !== dest && p.startsWith(dest + sep); p = dirname(p)) if (links.has(p)) return true;
  return false;
}

function unzipFailed() {
  return lambdaErrors.invalidParameterValue(UNZIP_FAILED);
}

function escapes(e: Error): boolean {
  return /invalid relative path|absolute path/.test(e.message);
}

// AWS's own wording for a path-traversal entry is not documented; this names the entry.
function zipSlip(name: string) {
  return lambdaErrors.invalidParameterValue(`Could not unzip uploaded file: the entry '${name}' would be written outside the function's directory.`);
}
