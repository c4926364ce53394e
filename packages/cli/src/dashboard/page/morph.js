// Writes a section's new HTML into the page by changing only the nodes that differ, not by
// replacing the section (`innerHTML`). The browser restyles, lays out and paints what a write
// touches: a section written whole at 4 redraws a second re-laid out every lane's 24 chips and
// every row, which was most of the page's CPU at 500 invocations/s (bench/page.ts, issue 15). A
// node left as it was keeps its style and its layout; a new chip or row is the only new node.
// The diff is morphdom's (npm `morphdom`, served at /_sim/ui/vendor/morphdom.js by mount-dashboard.ts).
import morphdom from "./vendor/morphdom.js";

/** A node's identity in the section (morphdom matches keys across the whole tree): its id, data-key, or its first data-* attribute (a row's request id, a lane's environment). */
function keyOf(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return undefined;
  if (node.id) return `#${node.id}`;
  const own = node.getAttribute("data-key");
  if (own !== null) return `${node.localName}:${own}`;
  for (const a of node.attributes) if (a.name.startsWith("data-")) return `${node.localName}[${a.name}=${a.value}]`;
  return undefined;
}

/** Makes `target`'s children those of `html`: the DOM `target.innerHTML = html` would give, the nodes that did not change kept. */
export function morph(target, html) {
  // Parsed in an element like `target`, out of the document, as innerHTML parses it there.
  const parsed = target.cloneNode(false);
  parsed.innerHTML = html;
  morphdom(target, parsed, {
    childrenOnly: true,
    getNodeKey: keyOf,
    // An element equal to its new self is left as it is, its subtree unvisited (morphdom's documented shortcut).
    onBeforeElUpdated: (from, to) => !from.isEqualNode(to),
  });
}
