// The portal's own service worker, scoped to the whole origin. It caches
// the portal's static files in "host-v1" (network first) and lets every
// other request, the widget's included, go to the network untouched.
"use strict";
const CACHE = "host-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(["/static/portal.css", "/static/portal.js"])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith("/static/") || event.request.method !== "GET") {
    return;
  }
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        const copy = res.clone();
        event.waitUntil(caches.open(CACHE).then((c) => c.put(event.request, copy)));
        return res;
      })
      .catch(() => caches.match(event.request)),
  );
});
