// Runs embed.js (the file named by argv[2]) in Node against a minimal fake
// DOM and prints, as JSON, what it did in each scenario of
// TestEmbedJS_behaviour. Nothing here is served.
"use strict";
const fs = require("fs");
const vm = require("vm");
const source = fs.readFileSync(process.argv[2], "utf8");

function load(attrs, scriptSrc, pageOrigin) {
  const frameWindow = { name: "frame" };
  const frame = {
    style: {},
    attributes: {},
    setAttribute(k, v) { this.attributes[k] = v; },
    contentWindow: frameWindow,
  };
  const next = { name: "next sibling" };
  const out = { inserted: 0, insertedBefore: "", listeners: [], errors: [], frame, frameWindow };
  const script = {
    src: scriptSrc,
    getAttribute: (k) => (Object.prototype.hasOwnProperty.call(attrs, k) ? attrs[k] : null),
    nextSibling: next,
    parentNode: {
      insertBefore(node, ref) {
        out.inserted++;
        out.insertedBefore = ref === next ? "the script's next sibling" : "elsewhere";
      },
    },
  };
  const context = {
    document: { currentScript: script, baseURI: pageOrigin + "/page", createElement: (tag) => { frame.tag = tag; return frame; } },
    window: { location: { origin: pageOrigin }, addEventListener: (type, fn) => out.listeners.push({ type, fn }) },
    console: { error: (m) => out.errors.push(String(m)) },
    URL,
  };
  vm.runInNewContext(source, context);
  return out;
}

const results = {};

const widget = "https://widget.example";
const page = "https://portal.example";
const e = load({ "data-org": "acme & co", "data-height": "300" }, widget + "/liaison/embed.js", page);
results.basic = {
  tag: e.frame.tag,
  src: e.frame.src,
  title: e.frame.title,
  marker: e.frame.attributes["data-liaison-frame"],
  border: e.frame.style.border,
  width: e.frame.style.width,
  height: e.frame.style.height,
  inserted: e.inserted,
  insertedBefore: e.insertedBefore,
  listeners: e.listeners.map((l) => l.type),
  errors: e.errors,
};

// Each message is delivered in turn; the height after it is recorded.
const other = { name: "another window" };
const messages = [
  ["accepted", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: 512.2 } }],
  ["wrong origin", { source: e.frameWindow, origin: page, data: { type: "liaison:resize", height: 1 } }],
  ["wrong window", { source: other, origin: widget, data: { type: "liaison:resize", height: 2 } }],
  ["no window", { source: null, origin: widget, data: { type: "liaison:resize", height: 3 } }],
  ["other type", { source: e.frameWindow, origin: widget, data: { type: "liaison:approve", height: 4 } }],
  ["string height", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: "5" } }],
  ["NaN height", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: NaN } }],
  ["infinite height", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: Infinity } }],
  ["negative height", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: -6 } }],
  ["null data", { source: e.frameWindow, origin: widget, data: null }],
  ["string data", { source: e.frameWindow, origin: widget, data: "liaison:resize" }],
  ["huge height", { source: e.frameWindow, origin: widget, data: { type: "liaison:resize", height: 1e12 } }],
];
results.heights = {};
for (const [name, event] of messages) {
  for (const l of e.listeners) l.fn(event);
  results.heights[name] = e.frame.style.height;
}

const noOrg = load({}, widget + "/liaison/embed.js", page);
results.noOrg = { inserted: noOrg.inserted, errors: noOrg.errors.length };

results.defaults = {};
for (const h of ["", "abc", "-1", "0", "1e9", "100001"]) {
  results.defaults[h] = load({ "data-org": "acme", "data-height": h }, widget + "/liaison/embed.js", page).frame.style.height;
}
const titled = load({ "data-org": "acme", "data-title": "Kontakte" }, widget + "/embed.js", page);
results.atRoot = { src: titled.frame.src, title: titled.frame.title, height: titled.frame.style.height };

process.stdout.write(JSON.stringify(results));
