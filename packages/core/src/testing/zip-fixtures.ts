import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import yazl from "yazl";

/** Zips a directory as `aws lambda create-function --zip-file` would upload it (modes kept). */
export function zipDirectory(dir: string): Promise<Buffer> {
  const files: { name: string; data: Buffer; mode: number }[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.push({ name: relative(dir, p), data: readFileSync(p), mode: statSync(p).mode });
    }
  };
  walk(dir);
  return zipFiles(files);
}

/**
 * Builds a zip from entries, in order; names are used verbatim (tests use this to craft `../`
 * entries and entries that collide). A name ending in `/` is a directory entry; `mode`
 * 0o120777 makes a symbolic link whose target is `data`, as `zip --symlinks` stores one.
 */
export function zipFiles(files: { name: string; data: Buffer | string; mode?: number }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) {
    if (f.name.endsWith("/")) zip.addEmptyDirectory(f.name.slice(0, -1), { mode: f.mode ?? 0o40755 });
    else zip.addBuffer(Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data), f.name, { mode: f.mode ?? 0o100644 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}
