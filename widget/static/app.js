// Liaison widget loader, served at {prefix}/app.js in place of go-app's.
//
// go-app's page loads wasm_exec.js and then this file, both deferred. The
// handler puts the client's environment first (the line above this
// comment, "const goappEnv = {...};"). This file:
//
//   - defines the functions go-app's client looks up on window (goappGetenv,
//     goappNav, goappOnUpdate, ...), the install ones answering "not
//     installable": the widget is not an installable app;
//   - registers the widget's inert service worker at {prefix}/app-worker.js,
//     scoped to the prefix, once the client has started and the page is
//     idle;
//   - runs the client: instantiates the module boot.js is compiling (or,
//     without boot.js, compiles it here) and starts the Go program.
//
// Unlike go-app's loader it shows no download progress: that needs the
// bytes to go through a JavaScript stream, which hides the response from
// the browser's compiled-code cache.
"use strict";

var goappNav = function () {};
var goappUpdatedBeforeWasmLoaded = false;
var goappOnUpdate = function () {
  goappUpdatedBeforeWasmLoaded = true;
};
var goappAppInstallChangedBeforeWasmLoaded = false;
var goappOnAppInstallChange = function () {
  goappAppInstallChangedBeforeWasmLoaded = true;
};
var goappServiceWorkerRegistration = null;

function goappGetenv(k) {
  return goappEnv[k];
}

function goappTryUpdate() {
  if (goappServiceWorkerRegistration) {
    goappServiceWorkerRegistration.update();
  }
}

function goappIsAppInstallable() {
  return false;
}

function goappKeepBodyClean() {
  var body = document.body;
  var count = body.children.length;
  var observer = new MutationObserver(function () {
    while (body.children.length > count) {
      body.removeChild(body.lastChild);
    }
  });
  observer.observe(body, { childList: true });
  return function () {
    observer.disconnect();
  };
}

(function () {
  var registerWorker = function () {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.register("{{WORKER}}").then(function (registration) {
      goappServiceWorkerRegistration = registration;
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        worker.addEventListener("statechange", function () {
          if (navigator.serviceWorker.controller && worker.state === "activated") {
            goappOnUpdate();
          }
        });
      });
    }, function (err) {
      console.error("liaison: registering the service worker failed:", err);
    });
  };
  // The worker is registered once the client has started and the page is
  // idle: starting a worker's thread and script engine during the first
  // screen would take a core from it.
  var registerWhenIdle = function () {
    if (typeof requestIdleCallback === "function") {
      requestIdleCallback(registerWorker, { timeout: 5000 });
    } else {
      setTimeout(registerWorker, 1000);
    }
  };

  var loader = document.getElementById("app-wasm-loader");
  var boot = window.liaisonBoot;
  var module = boot && boot.module;
  if (!module) {
    module = WebAssembly.compileStreaming(fetch("{{WASM}}"));
  }
  var go = new Go();
  module.then(function (m) {
    return WebAssembly.instantiate(m, go.importObject);
  }).then(function (instance) {
    go.run(instance);
    if (loader) {
      loader.remove();
    }
    registerWhenIdle();
  }, function (err) {
    registerWhenIdle();
    console.error("liaison: loading the client failed:", err);
    if (loader) {
      var icon = document.getElementById("app-wasm-loader-icon");
      var label = document.getElementById("app-wasm-loader-label");
      if (icon) {
        icon.className = "goapp-logo";
      }
      if (label) {
        label.innerText = String(err);
      }
    }
  });
})();
