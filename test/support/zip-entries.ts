import yauzl from "yauzl";

/** The files of a zip (directories left out): name → text and Unix mode. */
export function zipEntries(zip: Buffer): Promise<Map<string, { text: string; mode: number }>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, { text: string; mode: number }>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => {
      if (err || z === undefined) return reject(err);
      z.on("entry", (e: yauzl.Entry) => {
        const mode = (e.externalFileAttributes >>> 16) & 0o177777;
        if (e.fileName.endsWith("/")) return z.readEntry();
        z.openReadStream(e, (err2, s) => {
          if (err2 || s === undefined) return reject(err2);
          const chunks: Buffer[] = [];
          s.on("data", (c: Buffer) => chunks.push(c));
          s.on("end", () => {
            out.set(e.fileName, { text: Buffer.concat(chunks).toString(), mode });
            z.readEntry();
          });
        });
      });
      z.on("end", () => resolve(out));
      z.readEntry();
    });
  });
}

/** Downloads a Code.Location / Content.Location link as a user's curl does: the status, and the zip's files when 200. */
export async function download(location: string): Promise<{ status: number; files?: Map<string, string> }> {
  const res = await fetch(location);
  if (res.status !== 200) return { status: res.status };
  const entries = await zipEntries(Buffer.from(await res.arrayBuffer()));
  return { status: 200, files: new Map([...entries].map(([name, e]) => [name, e.text])) };
}
