// Draws the same data with Foresight (its dashboard drawing, compiled with the
// `bench` feature) and with uPlot, in the same page, the same canvas size and
// the same device pixel ratio, and times the first draw of a new chart and a
// redraw after the time range changes (to the middle half of the data).
// `runChartBenchmark` is called by the benchmark driver over WebDriver.
(function () {
  "use strict";
  const WIDTH = 1200;
  const HEIGHT = 400;
  const COLORS = ["#5ab4f0", "#f0b45a", "#e0605a", "#58d68d", "#b48cf0", "#f07ab4", "#7ad6d6", "#d6d67a", "#a0a0a0", "#f09a5a"];

  // Deterministic data: a random walk with a slow wave, one per series, 15 s apart.
  function makeData(points, seriesCount) {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const timestamps = new Float64Array(points);
    for (let i = 0; i < points; i++) timestamps[i] = 1.7e9 + 15 * i;
    const values = [];
    for (let k = 0; k < seriesCount; k++) {
      const v = new Float64Array(points);
      let level = 100 + 25 * k;
      for (let i = 0; i < points; i++) {
        level += random() - 0.5;
        v[i] = level + 20 * Math.sin(i / 700 + k);
      }
      values.push(v);
    }
    return { timestamps, values };
  }

  function middleHalf(data) {
    const first = data.timestamps[0];
    const last = data.timestamps[data.timestamps.length - 1];
    const quarter = (last - first) / 4;
    return [first + quarter, last - quarter];
  }

  function freshBox() {
    const box = document.createElement("div");
    box.style.width = WIDTH + "px";
    box.style.height = HEIGHT + "px";
    document.body.replaceChildren(box);
    return box;
  }

  // Foresight: a new canvas of the panel's size, then `draw_time_series`.
  function foresightOnce(data) {
    const canvas = document.createElement("canvas");
    canvas.style.width = WIDTH + "px";
    canvas.style.height = HEIGHT + "px";
    canvas.style.display = "block";
    freshBox().appendChild(canvas);
    const first = data.timestamps[0];
    const last = data.timestamps[data.timestamps.length - 1];
    let started = performance.now();
    window.wasmBindings.bench_draw(canvas, first, last);
    const cold = performance.now() - started;
    const [from, to] = middleHalf(data);
    started = performance.now();
    window.wasmBindings.bench_draw(canvas, from, to);
    return [cold, performance.now() - started];
  }

  // uPlot: a new chart (its first draw fires the `draw` hook), then setScale in a batch (drawn at once).
  function uplotOnce(data) {
    return new Promise((resolve) => {
      const box = freshBox();
      let started;
      let drawn = null;
      const options = {
        width: WIDTH,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        series: [{}].concat(data.values.map((_, k) => ({ stroke: COLORS[k % COLORS.length], width: 1.5 }))),
        hooks: { draw: [() => { if (drawn === null) drawn = performance.now(); }] },
      };
      started = performance.now();
      const chart = new uPlot(options, [data.timestamps].concat(data.values), box);
      const finish = () => {
        const cold = drawn - started;
        const [from, to] = middleHalf(data);
        const again = performance.now();
        chart.batch(() => chart.setScale("x", { min: from, max: to }));
        const redraw = performance.now() - again;
        chart.destroy();
        resolve([cold, redraw]);
      };
      // uPlot draws at once or in a microtask; wait for its draw hook.
      let checks = 0;
      const check = () => {
        if (drawn !== null) finish();
        else if (++checks < 100) queueMicrotask(check);
        else setTimeout(check, 0);
      };
      check();
    });
  }

  const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

  // cases: [{points, series}], repeats: runs per case (alternating which goes first).
  window.runChartBenchmark = async function (cases, repeats) {
    const results = [];
    for (const { points, series } of cases) {
      const data = makeData(points, series);
      window.wasmBindings.bench_load(data.timestamps, Float64Array.from(data.values.flatMap((v) => Array.from(v))), series);
      // One unmeasured run each: compile paths, warm caches.
      foresightOnce(data);
      await uplotOnce(data);
      const runs = { foresight: [], uplot: [] };
      for (let r = 0; r < repeats; r++) {
        const order = r % 2 === 0 ? ["foresight", "uplot"] : ["uplot", "foresight"];
        for (const which of order) {
          await pause();
          runs[which].push(which === "foresight" ? foresightOnce(data) : await uplotOnce(data));
        }
      }
      results.push({ points, series, devicePixelRatio: window.devicePixelRatio, runs });
    }
    document.body.replaceChildren();
    return results;
  };
})();
