// Runs before the app, as a file (the page's Content-Security-Policy allows no
// inline script of ours). It keeps three promises the app itself cannot:
// - uncaught errors are collected in window.foresightErrors (the tests and
//   benchmarks read them);
// - when the WebAssembly instance dies (in the release build a Rust panic
//   traps as "RuntimeError: unreachable" and no Rust code runs again), the
//   frozen page is replaced by a message with ways out, instead of a blank or
//   unresponsive page;
// - the page refuses to run inside another site's frame (servers that cannot
//   send `frame-ancestors 'none'`, such as Prometheus's user assets).
(function () {
  "use strict";
  if (window.top !== window.self) {
    document.documentElement.innerHTML = "";
    throw new Error("Foresight does not run inside a frame of another page");
  }
  window.foresightErrors = [];
  addEventListener("TrunkApplicationStarted", function (event) {
    window.foresightWasm = event.detail.wasm;
  });

  function isTrap(error) {
    if (typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError) return true;
    var text = String((error && error.message) || error || "");
    return /unreachable|RuntimeError|memory access out of bounds/.test(text);
  }

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var name in attributes || {}) node.setAttribute(name, attributes[name]);
    return node;
  }

  function showCrash(error) {
    if (document.getElementById("foresight-crash")) return;
    var box = element("div", "", { id: "foresight-crash", role: "alert", "data-testid": "crash" });
    box.appendChild(element("h2", "Foresight hit a bug — reload the page"));
    box.appendChild(
      element(
        "p",
        "The page stopped working. Nothing you saved in this browser is lost. " +
          "If this link was sent to you, it may be what caused it: open the default view instead."
      )
    );
    box.appendChild(element("pre", String((error && error.stack) || (error && error.message) || error)));
    var reload = element("button", "Reload this view", { type: "button", "data-action": "reload" });
    reload.addEventListener("click", function () {
      location.reload();
    });
    box.appendChild(reload);
    box.appendChild(element("a", "Open the default view", { href: location.pathname, "data-action": "default-view" }));
    box.appendChild(element("p", "Please report it with this link: " + location.href.slice(0, 2000)));
    document.body.prepend(box);
  }

  addEventListener("error", function (event) {
    window.foresightErrors.push(String(event.message));
    if (isTrap(event.error || event.message)) showCrash(event.error || event.message);
  });
  addEventListener("unhandledrejection", function (event) {
    window.foresightErrors.push(String(event.reason));
    if (isTrap(event.reason)) showCrash(event.reason);
  });
})();
