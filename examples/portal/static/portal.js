// The portal's own script, as any host application has one: it registers
// the portal's service worker at the root of the origin and keeps its own
// cache. The Liaison widget, mounted under /liaison/, must leave both alone.
"use strict";
(async () => {
  try {
    if ("serviceWorker" in navigator) {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }
    if ("caches" in window) {
      const cache = await caches.open("host-v1");
      await cache.add("/static/portal.css");
    }
    document.documentElement.dataset.portalReady = "true";
  } catch (err) {
    document.documentElement.dataset.portalReady = "failed";
    console.error("portal: could not set up its worker and cache", err);
  }
})();
