// Reads layouts (a JSON array of arrays of {i, x, y, w, h}) on stdin and
// prints them as react-grid-layout places them for Grafana's grid: bounds
// corrected to 24 columns, then compacted vertically.
const path = require("path");
const tools = process.env.FORESIGHT_TOOLS || path.join(__dirname, "../../../.tools");
const utils = require(path.join(tools, "node_modules/react-grid-layout/build/utils.js"));

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const layouts = JSON.parse(input);
  const placed = layouts.map((layout) => {
    const items = layout.map((item) => ({ ...item }));
    const bounded = utils.correctBounds(items, { cols: 24 });
    return utils.compact(bounded, "vertical", 24).map(({ i, x, y, w, h }) => ({ i, x, y, w, h }));
  });
  process.stdout.write(JSON.stringify(placed));
});
