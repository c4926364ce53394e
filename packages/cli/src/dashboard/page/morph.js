// Writes a section's new HTML into the page by changing only the nodes that differ, not by
// replacing the section (`innerHTML`). The browser restyles, lays out and paints what a write
// touches: a section written whole at 4 redraws a second re-laid out every lane's 24 chips and
// every row, which was most of the page's CPU at 500 invocations/s (bench/page.ts, issue 15). A
// node left as it was keeps its style and its layout; a new chip or row is the only new node.
//
// The result is the DOM `innerHTML = html` would give (the same elements, attributes and text, in
// the same order); only which nodes are reused differs. Keys only decide what is reused: a wrong
// match is patched to the new node all the same.

/** A child's identity among its siblings: its id, data-key, or its first data-* attribute (a row's request id, a lane's environment). */
function keyOf(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return undefined;
  if (node.id) return `#${node.id}`;
  const own = node.getAttribute("data-key");
  if (own !== null) return `${node.localName}:${own}`;
  for (const a of node.attributes) if (a.name.startsWith("data-")) return `${node.localName}[${a.name}=${a.value}]`;
  return undefined;
}

/** Makes `target`'s children those of `html` (parsed as `innerHTML` would parse it in `target`). */
export function morph(target, html) {
  // Parsed in a <div> out of the document: as the section's body parses it, nothing styled or laid out yet.
  const parsed = document.createElement("div");
  parsed.innerHTML = html;
  patchChildren(target, parsed);
}

/** Makes `to` equal to `from` (same node type and name): its attributes, then its children. */
function patch(to, from) {
  if (to.nodeType !== Node.ELEMENT_NODE) {
    if (to.nodeValue !== from.nodeValue) to.nodeValue = from.nodeValue;
    return;
  }
  if (to.isEqualNode(from)) return;
  for (const a of [...to.attributes]) if (!from.hasAttribute(a.name)) to.removeAttribute(a.name);
  for (const a of from.attributes) if (to.getAttribute(a.name) !== a.value) to.setAttribute(a.name, a.value);
  patchChildren(to, from);
}

/** Whether `old` can become `neu` by patching (same kind of node and element name). */
const alike = (old, neu) => old.nodeType === neu.nodeType && old.nodeName === neu.nodeName && old.namespaceURI === neu.namespaceURI;

function patchChildren(parent, from) {
  const next = [...from.childNodes];
  const nextKeys = next.map(keyOf);
  const olds = [...parent.childNodes];
  const oldKeys = olds.map(keyOf);
  // Old keyed children by key (a key twice, e.g. two attempts' rows: in order).
  const keyed = new Map();
  olds.forEach((c, i) => {
    const k = oldKeys[i];
    if (k !== undefined) (keyed.get(k) ?? keyed.set(k, []).get(k)).push(c);
  });
  const reused = new Set();
  const match = next.map((n, i) => {
    const old = nextKeys[i] === undefined ? undefined : keyed.get(nextKeys[i])?.shift();
    if (old === undefined || !alike(old, n)) return undefined;
    reused.add(old);
    return old;
  });
  // Keyed children with no place go first, so that the ones kept stay where they are (a node moved is laid out afresh).
  olds.forEach((c, i) => {
    if (oldKeys[i] !== undefined && !reused.has(c)) c.remove();
  });
  let cursor = parent.firstChild;
  next.forEach((n, i) => {
    let old = match[i];
    // An unkeyed child (text, a header row) takes the unkeyed one at the cursor if they are alike.
    if (old === undefined && nextKeys[i] === undefined && cursor !== null && !reused.has(cursor) && alike(cursor, n)) old = cursor;
    if (old === undefined) {
      parent.insertBefore(n, cursor);
      return;
    }
    if (old === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(old, cursor);
    reused.add(old);
    patch(old, n);
  });
  // Every child kept or added is before the cursor now: what is left from it on had no match.
  while (cursor !== null) {
    const after = cursor.nextSibling;
    cursor.remove();
    cursor = after;
  }
}
