// Minifies every .js and .css of a built app directory (not public/) in place
// and rewrites their `integrity` hashes in its index.html. Run by
// scripts/minify-dist.sh after trunk's release build.
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const esbuild = require("esbuild");

const dist = process.argv[2];
const indexPath = path.join(dist, "index.html");
let index = fs.readFileSync(indexPath, "utf8");

function* appFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === dist && entry.name === "public")) yield* appFiles(full);
    } else if (/\.(js|css)$/.test(entry.name)) {
      yield full;
    }
  }
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
let before = 0;
let after = 0;
for (const file of appFiles(dist)) {
  const source = fs.readFileSync(file, "utf8");
  const loader = file.endsWith(".css") ? "css" : "js";
  const { code } = esbuild.transformSync(source, { loader, minify: true, legalComments: "none" });
  fs.writeFileSync(file, code);
  before += Buffer.byteLength(source);
  after += Buffer.byteLength(code);
  const href = "./" + path.relative(dist, file).split(path.sep).join("/");
  const hash = "sha384-" + crypto.createHash("sha384").update(code).digest("base64");
  const attribute = new RegExp(`(href="${escape(href)}"[^>]*?integrity=")sha384-[^"]*(")`);
  if (attribute.test(index)) {
    index = index.replace(attribute, `$1${hash}$2`);
  }
}
fs.writeFileSync(indexPath, index);
console.log(`minify-dist: JS and CSS ${before} → ${after} bytes`);
