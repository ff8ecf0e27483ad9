// Shrinks a built app directory in place (run by scripts/shrink-dist.sh after
// trunk's release build), then rewrites the changed files' `integrity` hashes
// in its index.html:
//
// 1. The wasm imports each JS function under a name wasm-bindgen made unique
//    with a 16-hex-digit hash (`__wbg_addEventListener_847fd86b8c33ec43`); 219
//    such names, written in both the wasm and the JS glue, are 6 KB of gzip
//    that cannot compress. They become short names (`_0`, `_1`, …), the same
//    in both files.
// 2. Classes the JS glue exports but nothing uses — wasm-streams' stream
//    adapters (`IntoUnderlyingSource`, …), which Leptos's server functions
//    export and this app, without a server, never calls — are taken out of
//    the glue with their wasm exports, and wasm-opt drops the code only they
//    reached (about 12 KB of wasm).
// 3. The wasm's functions are put in an order where similar ones sit side by
//    side (see `similarityOrder`): gzip only finds repeats within its last
//    32 KB, and an instance of a generic function is most like the other
//    instances of it, which the compiler scatters (about 18 KB of gzip).
// 4. Every .js and .css is minified with esbuild (of public/, only the crash
//    guard: the rest there is data).
// 5. index.html gets the page's Content-Security-Policy, with the hash of
//    every inline script trunk wrote (its loader), so no other script can run.
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const esbuild = require("esbuild");

const dist = process.argv[2];
const changed = new Map(); // path → new content

function* appFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === dist && entry.name === "public")) yield* appFiles(full);
    } else {
      yield full;
    }
  }
}

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error("a LEB128 number runs past the end of the wasm");
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

// An import's kind and where its description (starting at `at`, with the
// kind) ends.
function skipImportDescription(bytes, at) {
  const kind = bytes[at++];
  if (kind === 0) [, at] = readLeb(bytes, at); // function: type index
  else if (kind === 1) { at += 1; const flags = bytes[at++]; [, at] = readLeb(bytes, at); if (flags & 1) [, at] = readLeb(bytes, at); } // table
  else if (kind === 2) { const flags = bytes[at++]; [, at] = readLeb(bytes, at); if (flags & 1) [, at] = readLeb(bytes, at); } // memory
  else if (kind === 3) at += 2; // global
  else throw new Error(`import kind ${kind} not understood`);
  return [kind, at];
}

// The import section with hashed field names replaced; returns the renaming.
function shortenImports(wasm) {
  const renamed = new Map();
  const parts = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    if (id !== 2) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    const body = wasm.subarray(start, end);
    let [count, p] = readLeb(body, 0);
    const entries = [leb(count)];
    for (let i = 0; i < count; i++) {
      const moduleStart = p;
      let length;
      [length, p] = readLeb(body, p);
      p += length;
      const module = body.subarray(moduleStart, p); // with its length
      [length, p] = readLeb(body, p);
      let field = body.subarray(p, p + length).toString("utf8");
      p += length;
      const descriptionStart = p;
      [, p] = skipImportDescription(body, p);
      if (/^__wb\w*_[0-9a-f]{16}$/.test(field)) {
        if (!renamed.has(field)) renamed.set(field, "_" + renamed.size.toString(36));
        field = renamed.get(field);
      }
      const name = Buffer.from(field, "utf8");
      entries.push(module, leb(name.length), name, body.subarray(descriptionStart, p));
    }
    const section = Buffer.concat(entries);
    parts.push(Buffer.from([2]), leb(section.length), section);
    at = end;
  }
  return [Buffer.concat(parts), renamed];
}

// The wasm with the exports `drop` names removed.
function withoutExports(wasm, drop) {
  const parts = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    if (id !== 7) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    const body = wasm.subarray(start, end);
    let [count, p] = readLeb(body, 0);
    const kept = [];
    for (let i = 0; i < count; i++) {
      const entryStart = p;
      let length;
      [length, p] = readLeb(body, p);
      const name = body.subarray(p, p + length).toString("utf8");
      p += length + 1; // name, kind
      [, p] = readLeb(body, p); // index
      if (!drop(name)) kept.push(body.subarray(entryStart, p));
    }
    const section = Buffer.concat([leb(kept.length), ...kept]);
    parts.push(Buffer.from([7]), leb(section.length), section);
    at = end;
  }
  return Buffer.concat(parts);
}

// Exported classes of the glue that nothing else in it refers to: each one's
// class, `Symbol.dispose` line and finalization registry are removed, and
// the wasm exports they called (`<class>_…`, `__wbg_<class>_free`).
function dropUnusedClasses(glue) {
  const unused = [];
  for (const [, name] of glue.matchAll(/^export class (\w+) \{$/gm)) {
    const own = new RegExp(`^export class ${name} \\{\n[\\s\\S]*?\\n\\}\n(?:if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\n)?`, "m");
    const registry = new RegExp(`^const ${name}Finalization = [\\s\\S]*?;\n`, "m");
    const rest = glue.replace(own, "").replace(registry, "");
    if (new RegExp(`\\b${name}\\b`).test(rest)) continue;
    glue = rest;
    unused.push(name.toLowerCase());
  }
  return [glue, unused];
}

// The module's sections as [id, start of content, end, start of section].
function sectionsOf(wasm) {
  const sections = [];
  let at = 8;
  while (at < wasm.length) {
    const [size, start] = readLeb(wasm, at + 1);
    sections.push([wasm[at], start, start + size, at]);
    at = start + size;
  }
  return sections;
}

// How many functions the module imports, and the bodies (locals and code) of
// the ones it defines, in index order.
function functionBodies(wasm) {
  let imported = 0;
  const bodies = [];
  for (const [id, start] of sectionsOf(wasm)) {
    if (id === 2) {
      let [count, p] = readLeb(wasm, start);
      for (let i = 0; i < count; i++) {
        let length;
        [length, p] = readLeb(wasm, p);
        p += length;
        [length, p] = readLeb(wasm, p);
        p += length;
        let kind;
        [kind, p] = skipImportDescription(wasm, p);
        if (kind === 0) imported++;
      }
    } else if (id === 10) {
      let [count, p] = readLeb(wasm, start);
      for (let i = 0; i < count; i++) {
        let size;
        [size, p] = readLeb(wasm, p);
        bodies.push(wasm.subarray(p, p + size));
        p += size;
      }
    }
  }
  return [imported, bodies];
}

// A greedy walk from function to function, each time to the unplaced one
// sharing the largest part of its 4-byte strings (Jaccard index) with the
// one just placed; where none shares any, the walk restarts at the smallest
// unplaced function. Strings found in over 1,000 functions are too common to
// tell anything and are skipped, which keeps the walk to seconds.
// Measured on this app (gzip -9 of the wasm, KiB): 648.9 in trunk's order by
// name, 630.8 in this one; by size 657.2, by signature then size 639.6.
function similarityOrder(bodies) {
  const strings = bodies.map((body) => {
    const set = new Set();
    for (let i = 0; i + 4 <= body.length; i++) set.add(body.readUInt32LE(i));
    return set;
  });
  const holders = new Map();
  strings.forEach((set, f) => {
    for (const s of set) {
      const list = holders.get(s);
      if (list) list.push(f);
      else holders.set(s, [f]);
    }
  });
  const bySize = [...bodies.keys()].sort((a, b) => bodies[a].length - bodies[b].length || a - b);
  const placed = new Uint8Array(bodies.length);
  const order = [];
  const shared = new Map();
  let restart = 0;
  let current = -1;
  while (order.length < bodies.length) {
    if (current < 0) {
      while (placed[bySize[restart]]) restart++;
      current = bySize[restart];
    }
    placed[current] = 1;
    order.push(current);
    shared.clear();
    for (const s of strings[current]) {
      const list = holders.get(s);
      if (list.length > 1000) continue;
      for (const f of list) if (!placed[f]) shared.set(f, (shared.get(f) ?? 0) + 1);
    }
    let best = -1;
    let bestScore = 0;
    for (const [f, count] of shared) {
      const score = count / (strings[current].size + strings[f].size - count);
      if (score > bestScore) {
        bestScore = score;
        best = f;
      }
    }
    current = best;
  }
  return order;
}

// The wasm with a name section naming each defined function by its place in
// `orderOf(bodies)`, for wasm-opt's --reorder-functions-by-name.
function withFunctionNames(wasm, orderOf) {
  const [imported, bodies] = functionBodies(wasm);
  const order = orderOf(bodies);
  if (order.length !== bodies.length || new Set(order).size !== bodies.length) throw new Error("the function order is not a permutation");
  const rank = new Array(bodies.length);
  order.forEach((f, place) => { rank[f] = place; });
  const width = String(bodies.length).length;
  const names = [leb(bodies.length)];
  for (let f = 0; f < bodies.length; f++) {
    const name = Buffer.from(`order.${String(rank[f]).padStart(width, "0")}`);
    names.push(leb(imported + f), leb(name.length), name);
  }
  const functionNames = Buffer.concat(names);
  const content = Buffer.concat([leb(4), Buffer.from("name"), Buffer.from([1]), leb(functionNames.length), functionNames]);
  const kept = sectionsOf(wasm)
    .filter(([id, start]) => !(id === 0 && wasm.subarray(start, start + 5).equals(Buffer.from("\x04name"))))
    .map(([, , end, section]) => wasm.subarray(section, end));
  return Buffer.concat([wasm.subarray(0, 8), ...kept, Buffer.from([0]), leb(content.length), content]);
}

const files = [...appFiles(dist)];
for (const wasmPath of files.filter((file) => file.endsWith("_bg.wasm"))) {
  const gluePath = wasmPath.replace(/_bg\.wasm$/, ".js");
  if (!fs.existsSync(gluePath)) continue;
  const [glue, unused] = dropUnusedClasses(fs.readFileSync(gluePath, "utf8"));
  const drop = (name) => unused.some((c) => name.startsWith(`${c}_`) || name === `__wbg_${c}_free`);
  const wasm = withoutExports(fs.readFileSync(wasmPath), drop);
  for (const name of glue.matchAll(/wasm\.(\w+)/g)) {
    if (drop(name[1])) throw new Error(`the glue still calls ${name[1]}, whose class was removed`);
  }
  const trimmed = `${wasmPath}.trimmed`;
  fs.writeFileSync(trimmed, wasm);
  const wasmOpt = (...args) => require("child_process").execFileSync("wasm-opt", args);
  wasmOpt("--remove-unused-module-elements", trimmed, "-o", trimmed);
  // The order is handed to wasm-opt as function names that sort in it; the
  // names go again when it writes the result (no -g). The producers and
  // target-features sections are metadata no browser reads.
  fs.writeFileSync(trimmed, withFunctionNames(fs.readFileSync(trimmed), similarityOrder));
  wasmOpt("-Oz", "--reorder-functions-by-name", "--strip-producers", "--strip-target-features", trimmed, "-o", wasmPath);
  fs.unlinkSync(trimmed);
  fs.writeFileSync(gluePath, glue);
  if (unused.length > 0) console.log(`shrink-dist: unused exported classes removed: ${unused.join(", ")}`);
  console.log("shrink-dist: functions ordered by likeness");
}

for (const wasmPath of files.filter((file) => file.endsWith("_bg.wasm"))) {
  const gluePath = wasmPath.replace(/_bg\.wasm$/, ".js");
  if (!fs.existsSync(gluePath)) continue;
  const [wasm, renamed] = shortenImports(fs.readFileSync(wasmPath));
  let glue = fs.readFileSync(gluePath, "utf8");
  for (const [long, short] of renamed) {
    const uses = glue.split(long).length - 1;
    if (uses === 0) throw new Error(`${long} is imported by the wasm but not in the JS glue`);
    glue = glue.split(long).join(short);
  }
  changed.set(wasmPath, wasm);
  changed.set(gluePath, glue);
  console.log(`shrink-dist: ${renamed.size} import names shortened`);
}

let before = 0;
let after = 0;
for (const file of files.filter((file) => /\.(js|css)$/.test(file))) {
  const source = changed.get(file) ?? fs.readFileSync(file, "utf8");
  const loader = file.endsWith(".css") ? "css" : "js";
  const { code } = esbuild.transformSync(source, { loader, minify: true, legalComments: "none" });
  before += Buffer.byteLength(source);
  after += Buffer.byteLength(code);
  changed.set(file, code);
}
console.log(`shrink-dist: JS and CSS minified, ${before} → ${after} bytes`);

// The crash guard (public/, loaded without an integrity hash) is minified
// too: its comments are most of its bytes.
const guardPath = path.join(dist, "public", "crash-guard.js");
if (fs.existsSync(guardPath)) {
  const guard = fs.readFileSync(guardPath, "utf8");
  const { code } = esbuild.transformSync(guard, { loader: "js", minify: true, legalComments: "none" });
  fs.writeFileSync(guardPath, code);
  console.log(`shrink-dist: crash guard minified, ${Buffer.byteLength(guard)} → ${Buffer.byteLength(code)} bytes`);
}

const indexPath = path.join(dist, "index.html");
let index = fs.readFileSync(indexPath, "utf8");
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
for (const [file, content] of changed) {
  fs.writeFileSync(file, content);
  const href = "./" + path.relative(dist, file).split(path.sep).join("/");
  const hash = "sha384-" + crypto.createHash("sha384").update(content).digest("base64");
  const attribute = new RegExp(`(href="${escape(href)}"[^>]*?integrity=")sha384-[^"]*(")`);
  if (!attribute.test(index)) throw new Error(`no integrity attribute for ${href} in index.html`);
  index = index.replace(attribute, `$1${hash}$2`);
}

// The static policy. `connect-src` stays open here and is narrowed by the app
// at start to the origins the user confirmed (a second policy can only
// narrow); `frame-ancestors` only works as an HTTP header (see the README).
const inlineScripts = [...index.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const scriptHashes = inlineScripts.map((code) => `'sha256-${crypto.createHash("sha256").update(code).digest("base64")}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${scriptHashes.join(" ")}`.trim(),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
if (index.includes('http-equiv="Content-Security-Policy"')) {
  index = index.replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/, "");
}
index = index.replace(/<meta charset="utf-8"\s*\/?>/, (charset) => `${charset}<meta http-equiv="Content-Security-Policy" content="${policy}">`);
if (!index.includes("Content-Security-Policy")) throw new Error("index.html has no <meta charset> to put the policy after");
console.log(`shrink-dist: Content-Security-Policy with ${scriptHashes.length} inline script hash(es)`);
fs.writeFileSync(indexPath, index);
