// Liaison widget service worker.
//
// go-app's app.js always registers a worker at {prefix}/app-worker.js. The
// widget lives under a path of someone else's origin, so this one is inert
// on purpose: it has no fetch handler (every request goes to the network),
// never opens, reads or deletes Cache Storage (the host's caches are not
// ours), and never claims clients. Its scope is {prefix}/, the directory
// it is served from. The version line below changes with each release, so
// browsers replace the worker when the app changes.
self.addEventListener("install", () => {
  self.skipWaiting();
});
