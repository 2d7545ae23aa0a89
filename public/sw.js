// Nuanxin service worker: serves the app shell when there is no network.
//
// - Navigations (any route, e.g. /console) are network-first; offline they fall back to the
//   cached index.html, so the app starts and reads everything else from IndexedDB.
// - Trunk's hashed assets (app-<hash>.js / _bg.wasm / .css, and the sync engine's worker files
//   engine-<hash>.js / _bg.wasm / engine-loader-<hash>.js, which index.html names in <meta>
//   tags) never change under a name, so they are cache-first.
// - The engine's files are cached when first used, not at install: a rider logs in online, and
//   the engine starts then, so it is on the phone before the first offline start; the login
//   page does not wait for it, and a supervisor (who goes on to the console) never loads it.
//   The page also asks for them ({cache: [urls]}) when a rider's engine starts, for the case
//   where the engine was fetched before this worker took control. Their names are read from index.html itself, at install and whenever a
//   fresh index.html arrives; that is how a new deploy is picked up: the new index.html names
//   new assets, they are cached, and the old ones are dropped.
// - /api/* and /sync are never touched: they are live data, and IndexedDB is the offline copy.
// - The supervisors' console (/console/, its own build) needs the server for everything it
//   shows, so it is not kept here: its page and assets come from the network, and offline its
//   page says that the console needs the network. It never replaces the riders' cached shell.

const SHELL = "nuanxin-shell-v1";
const INDEX = "/index.html";
const HASHED = /-[0-9a-f]{8,}(_bg)?\.(js|wasm|css)$/;
// Unhashed files the shell names (icons, manifest): cached too, refreshed network-first.
const STATIC = /\.(svg|png|webmanifest)$/;
const NAVIGATION_TIMEOUT_MS = 4000;
const CONSOLE = /^\/console(\/|$)/;
// Hashed assets cached on first use rather than at install (the sync engine's worker files).
const LAZY = /^\/engine-/;

function assetUrls(html) {
  const urls = new Set();
  // Minified HTML leaves attribute values unquoted (href=/app-….css), so a path may follow
  // a quote or an equals sign.
  const re = /["'=](\/[^"'\s>?#]+)/g;
  let m;
  while ((m = re.exec(html)) !== null) {
    if (HASHED.test(m[1]) || STATIC.test(m[1])) urls.add(m[1]);
  }
  return [...urls];
}

// Stores a fresh index.html once every hashed asset it names is cached, then drops the hashed
// assets it no longer names. If an asset cannot be fetched (the network went halfway), the old
// index.html and its assets stay, so the shell in the cache is always complete.
async function adoptIndex(response) {
  const cache = await caches.open(SHELL);
  const html = await response.clone().text();
  const wanted = assetUrls(html);
  const required = wanted.filter((url) => !LAZY.test(url));
  await Promise.all(
    required.map(async (url) => {
      if (!(await cache.match(url))) {
        try {
          const r = await fetch(url);
          if (r.ok) await cache.put(url, r);
        } catch (_) {
          // Checked below.
        }
      }
    }),
  );
  for (const url of required) {
    if (HASHED.test(url) && !(await cache.match(url))) return;
  }
  await cache.put(INDEX, response);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (HASHED.test(path) && !wanted.includes(path)) await cache.delete(req);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      try {
        const r = await fetch(INDEX, { cache: "no-cache" });
        if (r.ok) await adoptIndex(r);
      } catch (_) {
        // Installed while offline: navigations fill the cache later.
      }
      await self.skipWaiting();
    })(),
  );
});

// The page asks for the engine's files once a rider's engine starts ({cache: [urls]}): only
// hashed engine files are taken, and only those not cached yet are fetched.
self.addEventListener("message", (event) => {
  const urls = event.data && Array.isArray(event.data.cache) ? event.data.cache : [];
  const wanted = urls.filter((u) => typeof u === "string" && LAZY.test(u) && HASHED.test(u));
  if (wanted.length === 0) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      for (const url of wanted) {
        if (await cache.match(url)) continue;
        try {
          const r = await fetch(url);
          if (r.ok) await cache.put(url, r);
        } catch (_) {
          // Offline: the next start online tries again.
        }
      }
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

async function navigation(event) {
  const cache = await caches.open(SHELL);
  try {
    const r = await withTimeout(fetch(event.request), NAVIGATION_TIMEOUT_MS);
    const html = (r.headers.get("content-type") || "").includes("text/html");
    if (r.ok && html) event.waitUntil(adoptIndex(r.clone()));
    return r;
  } catch (_) {
    const cached = await cache.match(INDEX);
    if (cached) return cached;
    return new Response("<!doctype html><meta charset=utf-8><p>暖新：网络不可用</p>", {
      status: 503,
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  }
}

async function consoleNavigation(request) {
  try {
    return await fetch(request);
  } catch (_) {
    return new Response(
      "<!doctype html><meta charset=utf-8><title>暖新</title><p>隐患处置台需要网络连接，联网后请刷新。</p>" +
        "<p lang=en>The console needs a network connection; reload when online.</p>",
      { status: 503, headers: { "content-type": "text/html; charset=utf-8" } },
    );
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const r = await fetch(request);
  if (r.ok) await cache.put(new URL(request.url).pathname, r.clone());
  return r;
}

async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  try {
    const r = await fetch(request);
    if (r.ok) await cache.put(request, r.clone());
    return r;
  } catch (e) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sync") return;
  if (CONSOLE.test(url.pathname)) {
    if (request.mode === "navigate") event.respondWith(consoleNavigation(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
