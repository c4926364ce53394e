import { describe, expect, it } from "vitest";
import { decodeListToken, encodeListToken, listPage, type ListPageRequest } from "./list-page.ts";

const invalid = () => new Error("invalid token");
const req = (token: string | undefined, over: Partial<ListPageRequest<string>> = {}): ListPageRequest<string> => ({ listing: "L", position: (s) => [s], count: 2, token, invalidToken: invalid, ...over });

/** Every item, page by page, running `between` after each page. */
function drain(items: () => string[], over: Partial<ListPageRequest<string>> = {}, between: (page: string[]) => void = () => {}): string[] {
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const p = listPage(items(), req(token, over));
    seen.push(...p.items);
    between(p.items);
    token = p.next;
  } while (token !== undefined);
  return seen;
}

describe("listPage", () => {
  it("pages in position order, with no token after the last page", () => {
    expect(drain(() => ["c", "a", "e", "b", "d"])).toEqual(["a", "b", "c", "d", "e"]);
    expect(listPage(["a", "b"], req(undefined)).next).toBeUndefined();
  });

  it("skips nothing when each page is deleted before the next is asked for", () => {
    let live = ["a", "b", "c", "d", "e", "f", "g"];
    expect(drain(() => live, {}, (page) => (live = live.filter((x) => !page.includes(x))))).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(live).toEqual([]);
  });

  it("lists an item created ahead of the position reached, not one behind it", () => {
    let live = ["b", "d", "f"];
    let first = true;
    const seen = drain(() => live, {}, () => {
      if (first) live = [...live, "a", "e"];
      first = false;
    });
    expect(seen).toEqual(["b", "d", "e", "f"]);
  });

  it("pages descending, and a token is only good for its own listing", () => {
    expect(drain(() => ["a", "b", "c"], { descending: true })).toEqual(["c", "b", "a"]);
    const next = listPage(["a", "b", "c"], req(undefined)).next!;
    expect(() => listPage(["a"], req(next, { listing: "M" }))).toThrow("invalid token");
  });

  it("refuses a token it did not hand out rather than starting over", () => {
    for (const token of ["garbage", "NQ==", "5", encodeListToken("L", []).slice(0, -2), Buffer.from('{"k":"L","a":[{}]}').toString("base64url")]) {
      expect(() => listPage(["a"], req(token))).toThrow("invalid token");
    }
    expect(decodeListToken(encodeListToken("L", ["x", 3]), "L")).toEqual(["x", 3]);
  });
});
