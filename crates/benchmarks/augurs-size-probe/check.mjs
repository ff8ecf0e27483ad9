// Runs the probes built by ./build.sh on the M4 hourly training set (last 48
// points held out, as in `benchmarks m4`) and prints mean MASE, 95 % coverage
// and ms per series inside V8, to show the exported code works and how fast
// it is as wasm.  Usage: node check.mjs HOURLY_TRAIN_CSV [PROBE_OUT_DIR]
import { readFileSync } from "node:fs";

const [csv, dir = new URL("../../../target/augurs-size-probe/probe-out", import.meta.url).pathname] =
  process.argv.slice(2);
const HORIZON = 48, PERIOD = 24;
const series = readFileSync(csv, "utf8").trim().split("\n").slice(1).map((line) =>
  line.split(",").slice(1).map((c) => c.replace(/"/g, "").trim()).filter((c) => c !== "").map(Number));

for (const probe of ["foresight", "augurs"]) {
  const module = new WebAssembly.Module(readFileSync(`${dir}/${probe}.opt.wasm`));
  const { exports } = new WebAssembly.Instance(module, {});
  const out = exports.alloc_f64(3 * HORIZON);
  let mase = 0, covered = 0, failed = 0, elapsed = 0;
  for (const values of series) {
    const history = values.slice(0, -HORIZON), actual = values.slice(-HORIZON);
    const input = exports.alloc_f64(history.length); // leaked: a probe, not an app
    new Float64Array(exports.memory.buffer, input, history.length).set(history);
    const started = performance.now();
    const status = exports.forecast(input, history.length, out);
    elapsed += performance.now() - started;
    if (status !== 0) { failed++; continue; }
    const result = new Float64Array(exports.memory.buffer, out, 3 * HORIZON);
    let scale = 0;
    for (let t = PERIOD; t < history.length; t++) scale += Math.abs(history[t] - history[t - PERIOD]);
    scale /= history.length - PERIOD;
    let error = 0;
    for (let i = 0; i < HORIZON; i++) {
      error += Math.abs(actual[i] - result[i]);
      if (actual[i] >= result[HORIZON + i] && actual[i] <= result[2 * HORIZON + i]) covered++;
    }
    mase += error / HORIZON / scale;
  }
  const n = series.length - failed;
  console.log(`${probe.padEnd(10)} MASE ${(mase / n).toFixed(3)}  95% cover ${(100 * covered / (n * HORIZON)).toFixed(1)}%  ` +
    `${(elapsed / series.length).toFixed(2)} ms/series  failed ${failed}`);
}
