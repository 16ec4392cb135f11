// Liaison widget boot script.
//
// The widget's page loads it from <head>, before go-app's deferred scripts,
// as <script src="{prefix}/boot.js" data-wasm="..." data-api="..."
// data-prefetch="..."></script>. It starts, at once and in parallel, the
// two slow parts of a cold start that do not need the Go runtime:
//
//   - compiling the client: WebAssembly.compileStreaming on a plain fetch of
//     app.wasm (the page's preload link answers it), so compilation runs as
//     the bytes arrive, and the browser can cache the compiled code with the
//     response; app.js instantiates the module once wasm_exec.js is there;
//   - the first page's API reads (data-prefetch, paths below
//     {api}/orgs/{org}/), which the client takes from
//     liaisonBoot.prefetched(url) instead of asking again. Each answer is
//     handed out once; anything later goes to the network.
//
// It runs no inline code, evaluates nothing, and sends only GET requests
// the client itself would send on this page, with the same headers.
(function () {
  "use strict";

  var script = document.currentScript;
  var boot = { module: null, prefetch: {} };
  window.liaisonBoot = boot;
  if (!script) {
    return;
  }

  var wasm = script.getAttribute("data-wasm");
  if (wasm && typeof WebAssembly === "object" && WebAssembly.compileStreaming) {
    boot.module = WebAssembly.compileStreaming(fetch(wasm));
    boot.module.catch(function () {}); // app.js reports the failure
  }

  // The org comes from the page's URL, checked as the client checks it:
  // anything else never reaches a request path.
  var api = script.getAttribute("data-api");
  var org = new URLSearchParams(window.location.search).get("org") || "";
  if (!api || !/^[A-Za-z0-9_-]{1,64}$/.test(org)) {
    return;
  }
  var paths = (script.getAttribute("data-prefetch") || "").split(" ");
  for (var i = 0; i < paths.length; i++) {
    if (!paths[i]) {
      continue;
    }
    var url = api + "/orgs/" + org + "/" + paths[i];
    var p = fetch(url, {
      method: "GET",
      headers: { Accept: "application/json, application/problem+json" },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
    });
    p.catch(function () {}); // the client sees the failure when it takes it
    boot.prefetch[url] = p;
  }

  // prefetched returns the pending fetch of url, once, or null.
  boot.prefetched = function (url) {
    var p = boot.prefetch[url];
    if (!p) {
      return null;
    }
    delete boot.prefetch[url];
    return p;
  };
})();
