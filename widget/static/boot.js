// Liaison widget boot script.
//
// The widget's page loads it from <head>, before go-app's deferred scripts,
// as <script src="{prefix}/boot.js" data-wasm="..." data-wasm-size="..."
// data-api="..." data-prefetch="..."></script>. It starts, at once and in
// parallel, the two slow parts of a cold start that do not need the Go
// runtime:
//
//   - compiling the client: WebAssembly.compileStreaming on a plain fetch of
//     app.wasm (the page's preload link answers it), or on the response
//     the host page's embed.js asked for a round trip earlier and left on
//     this frame's element (same origin only; the page then has no
//     preload), so compilation runs as the bytes arrive, and the browser can cache the compiled code with the
//     response; app.js instantiates the module once wasm_exec.js is there.
//     A clone of the response counts the bytes (data-wasm-size is the
//     decoded size) for the loader's percentage, as go-app's loader shows;
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
  var size = parseInt(script.getAttribute("data-wasm-size") || "0", 10);
  if (wasm && typeof WebAssembly === "object" && WebAssembly.compileStreaming) {
    var res = handedOver(wasm);
    res = res ? res.then(null, function () {
      return fetch(wasm);
    }) : fetch(wasm);
    res = res.then(function (r) {
      if (size > 0 && r.ok && r.body) {
        try {
          progress(r.clone().body.getReader(), size);
        } catch (err) {
          // no progress, then
        }
      }
      return r; // the response itself, so the compiled code may be cached
    });
    boot.module = WebAssembly.compileStreaming(res);
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

  // handedOver returns the response to the wasm's URL that the host
  // page's embed.js asked for ahead of this page and left on this frame's
  // element, taking it (it can be read once), or null. Only a same-origin
  // parent's element is reachable at all.
  function handedOver(path) {
    try {
      var el = window.frameElement;
      var h = el && el.liaisonWasm;
      if (!h || h.url !== new URL(path, window.location.href).href) {
        return null;
      }
      el.liaisonWasm = null;
      return Promise.resolve(h.response);
    } catch (err) {
      return null;
    }
  }

  // progress reads the bytes of the wasm's clone and shows how much of
  // them arrived in go-app's loader label, once a percent.
  function progress(reader, total) {
    var loaded = 0;
    var shown = 0;
    var read = function () {
      reader.read().then(function (chunk) {
        if (chunk.done) {
          return;
        }
        loaded += chunk.value.byteLength;
        var pct = Math.min(100, Math.floor((loaded * 100) / total));
        var label = document.getElementById("app-wasm-loader-label");
        if (pct !== shown && label) {
          shown = pct;
          label.textContent = pct + "%";
        }
        read();
      }, function () {});
    };
    read();
  }
})();
