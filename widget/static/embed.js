// Liaison widget embed script.
//
// Usage, in a page of the host's:
//
//   <script src="{prefix}/embed.js" data-org="acme" data-height="600"></script>
//
// It inserts, right after its own script element, an iframe on
// {prefix}/?org=<org>&parent=<this page's origin>, and keeps the iframe's
// height in step with the widget's content: it accepts only
// {type: "liaison:resize", height: <finite number>} messages sent by that
// iframe's window from the widget's origin, and ignores everything else.
// Optional attributes: data-height (initial height in pixels, default 600)
// and data-title (the iframe's accessible title, default "Contacts").
// When the widget shares the host page's origin, it also starts the
// download of the widget's client (app.wasm) at once, a round trip before
// the iframe's page could, and hands the response to the iframe (its
// boot.js); the iframe's URL then says wasm=parent.
// It needs no inline script in the host page and uses no eval.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) {
    console.error("liaison embed.js: load it with a plain <script src> element (not a module, not injected)");
    return;
  }
  var org = script.getAttribute("data-org");
  if (!org) {
    console.error("liaison embed.js: the data-org attribute is required");
    return;
  }

  var src = new URL(script.src, document.baseURI);
  var widgetOrigin = src.origin;
  var page = new URL(src.pathname.replace(/embed\.js$/, ""), widgetOrigin);
  page.searchParams.set("org", org);
  page.searchParams.set("parent", window.location.origin);

  var maxHeight = 100000;
  var heightAttr = script.getAttribute("data-height") || "";
  var height = /^[0-9]{1,6}$/.test(heightAttr) ? parseInt(heightAttr, 10) : 0;
  if (!(height > 0 && height <= maxHeight)) {
    height = 600;
  }

  var frame = document.createElement("iframe");
  // The client (app.wasm, under a path named by its hash, which the
  // handler writes into this file as it serves it) is what a cold start
  // waits for. When the widget shares this page's origin, ask for it now,
  // a round trip before the iframe's page can, and leave the pending
  // response on the iframe element: the widget's boot.js compiles from it
  // (or fetches the wasm itself if it is missing or failed).
  var wasmPath = "{{WASM}}";
  if (widgetOrigin === window.location.origin && /^\/web\/app\.[0-9a-f]{20}\.wasm$/.test(wasmPath) &&
      typeof fetch === "function") {
    var wasmURL = new URL(src.pathname.replace(/embed\.js$/, "") + wasmPath.slice(1), widgetOrigin).href;
    frame.liaisonWasm = { url: wasmURL, response: fetch(wasmURL, { credentials: "same-origin" }) };
    frame.liaisonWasm.response.catch(function () {}); // boot.js sees it
    // The page then leaves out its own preload of the wasm.
    page.searchParams.set("wasm", "parent");
  }
  frame.src = page.href;
  frame.title = script.getAttribute("data-title") || "Contacts";
  frame.setAttribute("data-liaison-frame", "");
  frame.style.border = "0";
  frame.style.width = "100%";
  frame.style.display = "block";
  frame.style.height = height + "px";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    // Only the widget's own window, from the widget's origin.
    if (event.source !== frame.contentWindow || event.origin !== widgetOrigin) {
      return;
    }
    var data = event.data;
    if (data === null || typeof data !== "object" || data.type !== "liaison:resize") {
      return;
    }
    var h = data.height;
    if (typeof h !== "number" || !isFinite(h) || h < 0) {
      return;
    }
    frame.style.height = Math.min(Math.ceil(h), maxHeight) + "px";
  });
})();
