// Interoperability of the Nuanxin relay with the official automerge-repo JS client.
//
// Written only from docs/protocol.md and docs/schema.md: if a third party can file a report
// from those two pages, these tests pass. The NuanxinAdapter tested below is the code block of
// docs/protocol.md itself, loaded from the page, so the page cannot drift from what works.
//
// Run: npm run test:interop   (NUANXIN_BIN overrides ../target/debug/nuanxin)

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";

import { ImmutableString, NetworkAdapter, Repo, cbor } from "@automerge/automerge-repo";
import * as A from "@automerge/automerge";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import WebSocket from "ws";

const here = dirname(fileURLToPath(import.meta.url));
const end2end = resolve(here, "../..");
const BIN = resolve(end2end, process.env.NUANXIN_BIN ?? "../target/debug/nuanxin");
const PASSWORD = "nuanxin-demo";
const RIDER_1 = "13800000001";
const RIDER_2 = "13800000002";
const SUPERVISOR = "grid-youyang";
const MAX_FRAME = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The server under test

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Starts `nuanxin serve` on `dataDir` and `port`; resolves once `/api/me` answers. */
async function startServer({ dataDir, port }) {
  const proc = spawn(BIN, ["serve"], {
    env: {
      ...process.env,
      NUANXIN_DATA: dataDir,
      NUANXIN_ADDR: `127.0.0.1:${port}`,
      NUANXIN_DIST: "/nonexistent",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stdout.on("data", (b) => (log += b));
  proc.stderr.on("data", (b) => (log += b));
  let exited = null;
  proc.once("exit", (code, signal) => (exited = { code, signal }));
  proc.once("error", (e) => (exited = { error: e.message }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${BIN} exited early ${JSON.stringify(exited)}:\n${log}`);
    try {
      const r = await fetch(`${base}/api/me`);
      await r.arrayBuffer();
      break; // any answer (401 without a session) means it is up
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not answer in time:\n${log}`);
      await sleep(100);
    }
  }
  return {
    base,
    wsBase: base.replace(/^http/, "ws"),
    proc,
    log: () => log,
    async stop() {
      if (exited) return;
      const gone = new Promise((ok) => proc.once("exit", ok));
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(t);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP, as docs/protocol.md describes it

async function login(base, loginName) {
  const r = await fetch(`${base}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: loginName, password: PASSWORD }),
  });
  assert.equal(r.status, 200, `login ${loginName}`);
  const setCookie = r.headers.getSetCookie?.() ?? [r.headers.get("set-cookie")];
  const sessionCookie = setCookie.find((c) => c?.startsWith("nx_session="));
  assert.ok(sessionCookie, "login sets nx_session");
  return { cookie: sessionCookie.split(";")[0], me: await r.json() };
}

async function getJson(base, path, cookie) {
  const r = await fetch(`${base}${path}`, { headers: { cookie } });
  assert.equal(r.status, 200, `GET ${path}`);
  return r.json();
}

async function syncTicket(base, cookie, peerId) {
  const r = await fetch(`${base}/api/sync-ticket`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify(peerId ? { peer_id: peerId } : {}),
  });
  assert.equal(r.status, 200, "POST /api/sync-ticket");
  return r.json();
}

/** Polls the supervisor's list until every id in `ids` is there, or fails after `ms`. */
async function waitForReports(base, cookie, ids, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { reports } = await getJson(base, "/api/reports", cookie);
    const found = ids.map((id) => reports.find((r) => r.id === id));
    if (found.every(Boolean)) return { found, reports };
    if (Date.now() > deadline) {
      assert.fail(`reports ${ids.filter((_, i) => !found[i]).join(", ")} never reached the index`);
    }
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// A report, as docs/schema.md says to write it

const s = (v) => new ImmutableString(v);

function reportOf(fields) {
  const id = randomUUID();
  return {
    id,
    entry: {
      id: s(id),
      category: s(fields.category),
      note: s(fields.note ?? ""),
      lat: fields.lat,
      lon: fields.lon,
      accuracy_m: fields.accuracy_m ?? null,
      location_source: s(fields.location_source),
      place: s(fields.place ?? ""),
      created_at: fields.created_at ?? Date.now(),
      photos: (fields.photos ?? []).map(s),
    },
  };
}

/** docs/protocol.md 9.1: resolves once the relay's heads of the document equal ours. */
function relayHas(handle) {
  const same = (a, b) => a.length === b.length && a.every((h) => b.includes(h));
  return new Promise((ok) => {
    const check = ({ heads }) => {
      if (same(heads, handle.heads())) {
        handle.off("remote-heads", check);
        ok();
      }
    };
    handle.on("remote-heads", check);
  });
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(what)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The NuanxinAdapter block of docs/protocol.md

function loadDocAdapter(wx) {
  const page = readFileSync(resolve(end2end, "../docs/protocol.md"), "utf8");
  const block = [...page.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((code) => code.includes("export class NuanxinAdapter"));
  assert.ok(block, "docs/protocol.md has the NuanxinAdapter block");
  const body = block
    .split("\n")
    .filter((line) => !/^import .* from ".*";$/.test(line))
    .map((line) => line.replace(/^export /, ""))
    .join("\n");
  // eslint-disable-next-line no-new-func
  return new Function(
    "NetworkAdapter",
    "cbor",
    "wx",
    `${body}\nreturn { NuanxinAdapter, wxSocket, webSocket };`,
  )(NetworkAdapter, cbor, wx);
}

/** Enough of WeChat's `wx.connectSocket` (SocketTask) over `ws` to run the page's wxSocket. */
const fakeWx = {
  connectSocket({ url }) {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    const on = (event, map = (x) => x) => (cb) => ws.on(event, (...a) => cb(map(...a)));
    ws.on("error", () => {});
    return {
      onOpen: on("open", () => ({})),
      onMessage: on("message", (data) => ({ data })),
      onClose: on("close", (code, reason) => ({ code, reason: String(reason) })),
      onError: on("error", (e) => ({ errMsg: e.message })),
      send({ data }) {
        assert.ok(data instanceof ArrayBuffer, "wx SocketTask.send takes an ArrayBuffer");
        ws.send(data);
      },
      close() {
        ws.close();
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------

describe("automerge-repo interop", () => {
  let server;
  let dataDir;
  const repos = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "nuanxin-interop-"));
    server = await startServer({ dataDir, port: await freePort() });
  });

  after(async () => {
    for (const repo of repos) await repo.shutdown().catch(() => {});
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A Repo on the official WebSocket adapter, for one connection on one ticket. */
  function officialRepo(ticket) {
    const adapter = new WebSocketClientAdapter(`${server.wsBase}/sync?ticket=${ticket.ticket}`);
    const repo = new Repo({
      network: [adapter],
      peerId: ticket.peer_id,
      storage: undefined,
      sharePolicy: async () => true,
    });
    repos.push(repo);
    return { repo, adapter };
  }

  test("a rider files reports with the official client and the supervisor sees them", async () => {
    const { cookie, me } = await login(server.base, RIDER_1);
    assert.equal(me.user.role, "rider");
    const me2 = await getJson(server.base, "/api/me", cookie);
    assert.deepEqual(me2, me);
    const docId = me.docs.rider;
    assert.match(docId, /^[1-9A-HJ-NP-Za-km-z]+$/, "a bs58 document id");
    assert.equal(me.peer_prefix, `u${me.user.id}.`);

    const peerId = `${me.peer_prefix}node-interop`;
    const ticket = await syncTicket(server.base, cookie, peerId);
    assert.equal(ticket.peer_id, peerId);
    assert.equal(ticket.expires_in, 60);

    const { repo } = officialRepo(ticket);
    const handle = await repo.find(`automerge:${docId}`);
    const doc = handle.doc();
    assert.equal(Number(doc.schema), 1);
    assert.equal(String(doc.kind), "rider");
    assert.equal(String(doc.owner), String(me.user.id));
    assert.equal(typeof doc.reports, "object");

    const created = Date.now();
    const gps = reportOf({
      category: "fire_lane",
      note: "小区东门消防通道被电动车堵住",
      lat: 28.8412,
      lon: 108.7705,
      accuracy_m: 12.5,
      location_source: "gps",
      created_at: created,
      photos: ["a".repeat(64)],
    });
    const manual = reportOf({
      category: "street_light",
      lat: 29, // whole numbers are stored as integers by the JS client; still valid
      lon: 108,
      location_source: "manual",
      place: "人民路与桃花源大道路口",
      created_at: created + 1,
    });
    // Invalid on purpose: must be flagged, never indexed.
    const bad = reportOf({ category: "ufo", lat: 28.8, lon: 108.7, location_source: "gps" });
    const textStrings = randomUUID(); // plain JS strings become Automerge Text: still read
    handle.change((d) => {
      d.reports[gps.id] = gps.entry;
      d.reports[manual.id] = manual.entry;
      d.reports[bad.id] = bad.entry;
      d.reports[textStrings] = {
        id: textStrings,
        category: "garbage",
        note: "",
        lat: 28.8,
        lon: 108.7,
        accuracy_m: null,
        location_source: "gps",
        place: "",
        created_at: created,
        photos: [],
      };
    });
    assert.equal(Object.keys(handle.doc().reports).length, 4);
    await within(relayHas(handle), 15_000, "the relay's heads never caught up with ours");

    const sup = await login(server.base, SUPERVISOR);
    const { found, reports } = await waitForReports(server.base, sup.cookie, [
      gps.id,
      manual.id,
      textStrings,
    ]);
    const [g, m, t] = found;
    assert.deepEqual(
      {
        id: g.id,
        rider_id: g.rider_id,
        rider_name: g.rider_name,
        category: g.category,
        note: g.note,
        lat: g.lat,
        lon: g.lon,
        accuracy_m: g.accuracy_m,
        location_source: g.location_source,
        place: g.place,
        created_at: g.created_at,
        photos: g.photos,
        status: g.status,
      },
      {
        id: gps.id,
        rider_id: me.user.id,
        rider_name: me.user.name,
        category: "fire_lane",
        note: "小区东门消防通道被电动车堵住",
        lat: 28.8412,
        lon: 108.7705,
        accuracy_m: 12.5,
        location_source: "gps",
        place: "",
        created_at: created,
        photos: ["a".repeat(64)],
        status: "new",
      },
    );
    assert.equal(typeof g.received_at, "number");
    assert.ok(g.received_at >= created - 60_000, "received_at is a server time in ms");
    assert.equal(m.category, "street_light");
    assert.equal(m.lat, 29);
    assert.equal(m.lon, 108);
    assert.equal(m.accuracy_m, null);
    assert.equal(m.location_source, "manual");
    assert.equal(m.place, "人民路与桃花源大道路口");
    assert.equal(m.note, "");
    assert.deepEqual(m.photos, []);

    // The whole document was indexed in one pass, so the invalid entries are settled by now.
    assert.equal(reports.find((r) => r.id === bad.id), undefined, "invalid category not indexed");
    assert.equal(t.category, "garbage", "a report written with Text strings is read all the same");

    // Writing the same key again updates the one report; it never makes a second one.
    handle.change((d) => {
      d.reports[gps.id].note = s("消防通道仍被堵住");
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const list = (await getJson(server.base, "/api/reports", sup.cookie)).reports;
      const rows = list.filter((r) => r.id === gps.id);
      assert.equal(rows.length, 1);
      if (rows[0].note === "消防通道仍被堵住") break;
      assert.ok(Date.now() < deadline, "the edited note never reached the index");
      await sleep(200);
    }
  });

  test("a rider cannot open another rider's document", async () => {
    const rider1 = await login(server.base, RIDER_1);
    const foreignId = rider1.me.docs.rider;
    const { cookie, me } = await login(server.base, RIDER_2);
    assert.notEqual(me.docs.rider, foreignId);

    const ticket = await syncTicket(server.base, cookie);
    assert.ok(ticket.peer_id.startsWith(me.peer_prefix), "a generated peer id has the prefix");
    const { repo, adapter } = officialRepo(ticket);
    const seen = [];
    adapter.on("message", (m) => seen.push(m));

    await assert.rejects(repo.find(`automerge:${foreignId}`), /unavailable/);
    const handle = await repo.find(`automerge:${foreignId}`, { allowableStates: ["unavailable"] });
    assert.equal(handle.state, "unavailable");
    assert.throws(() => handle.doc(), /not ready/);

    // Nothing about that document ever came down the wire except doc-unavailable.
    const about = seen.filter((m) => m.documentId === foreignId);
    assert.ok(about.length >= 1);
    for (const m of about) {
      assert.equal(m.type, "doc-unavailable");
      assert.equal(m.data, undefined);
    }

    // The same connection still serves the rider's own document.
    const own = await repo.find(`automerge:${me.docs.rider}`);
    assert.equal(String(own.doc().owner), String(me.user.id));
    assert.equal(
      seen.some((m) => m.documentId === foreignId && m.type !== "doc-unavailable"),
      false,
    );
  });

  test("a rider's own office document is read-only: the change is not applied and the client stops offering it", async () => {
    const { cookie, me } = await login(server.base, RIDER_1);
    const officeId = me.docs.office;
    assert.ok(officeId, "/api/me names the office document");
    const { repo, adapter } = officialRepo(await syncTicket(server.base, cookie));
    const sent = [];
    const send = adapter.send.bind(adapter);
    adapter.send = (m) => {
      sent.push(m);
      send(m);
    };
    let learnedReadOnly = false;
    repo.synchronizer.on("sync-state", ({ documentId, syncState }) => {
      if (documentId === officeId && syncState.peerReadOnly) learnedReadOnly = true;
    });

    const handle = await repo.find(`automerge:${officeId}`);
    assert.equal(String(handle.doc().kind), "office");
    assert.equal(String(handle.doc().owner), String(me.user.id));
    handle.change((d) => {
      d.reviews.forged = { status: s("confirmed"), note: s(""), at: Date.now() };
      d.points = 9999;
    });

    // The client learns from the relay's sync messages that the document is read-only ...
    const deadline = Date.now() + 10_000;
    while (!learnedReadOnly && Date.now() < deadline) await sleep(50);
    assert.ok(learnedReadOnly, "the client's sync state says the relay is read-only");
    // ... so it goes quiet instead of offering its change again and again.
    await sleep(1_000);
    const aboutOffice = () => sent.filter((m) => m.documentId === officeId);
    const settled = aboutOffice().length;
    await sleep(2_000);
    assert.equal(aboutOffice().length, settled, "no further messages: no divergence loop");
    assert.ok(settled <= 4, `a handful of messages, not a loop (${settled})`);
    const carryingChanges = aboutOffice().filter(
      (m) => m.type === "sync" && A.decodeSyncMessage(m.data).changes.length > 0,
    );
    assert.ok(carryingChanges.length <= 1, "the change is offered at most once");

    // The relay's copy, read on a fresh connection, never got the change.
    const { repo: other } = officialRepo(await syncTicket(server.base, cookie));
    const fresh = await other.find(`automerge:${officeId}`);
    assert.equal(fresh.doc().reviews.forged, undefined);
    assert.equal(fresh.doc().points, undefined);
  });

  test("a rider reads the points a decision booked and its notice, and redeems a reward, following schema.md and protocol.md", async () => {
    const { cookie, me } = await login(server.base, RIDER_2);
    const { repo } = officialRepo(await syncTicket(server.base, cookie));
    const rider = await repo.find(`automerge:${me.docs.rider}`);
    const r = reportOf({
      category: "road_damage",
      note: "桥头路面塌陷",
      lat: 28.84,
      lon: 108.77,
      accuracy_m: 9,
      location_source: "gps",
    });
    rider.change((d) => {
      d.reports[r.id] = r.entry;
    });
    await within(relayHas(rider), 15_000, "the relay never had the report");
    const sup = await login(server.base, SUPERVISOR);
    await waitForReports(server.base, sup.cookie, [r.id]);

    // docs/protocol.md section 11: a valid decision with the points chosen.
    const review = await fetch(`${server.base}/api/reports/${me.user.id}/${r.id}/review`, {
      method: "POST",
      headers: { cookie: sup.cookie, "content-type": "application/json" },
      body: JSON.stringify({ status: "valid", note: "已派人修补", points: 25 }),
    });
    assert.equal(review.status, 200);

    // docs/schema.md: the office document's points, a copy of the server's ledger.
    const office = await repo.find(`automerge:${me.docs.office}`);
    const deadline = Date.now() + 15_000;
    while (Number(office.doc().points?.balance ?? 0) !== 25 && Date.now() < deadline) {
      await sleep(100);
    }
    const points = office.doc().points;
    assert.equal(Number(points.balance), 25);
    const entries = Object.entries(points.entries).sort(([a], [b]) => Number(a) - Number(b));
    assert.equal(entries.length, 1);
    const [, entry] = entries[0];
    assert.equal(String(entry.kind), "award");
    assert.equal(Number(entry.amount), 25);
    assert.equal(String(entry.report), r.id);
    assert.equal(String(entry.reason), "已派人修补");
    assert.equal(String(office.doc().reviews[r.id].status), "valid");
    // docs/schema.md: the notice of the decision, in codes.
    const notices = Object.values(office.doc().notices ?? {}).filter((n) => String(n.report) === r.id);
    assert.equal(notices.length, 1);
    assert.equal(String(notices[0].kind), "review");
    assert.equal(String(notices[0].status), "valid");
    assert.equal(Number(notices[0].points), 25);
    assert.equal(String(notices[0].note), "已派人修补");

    // docs/protocol.md section 12: redeem the cheapest reward of the catalogue (the stations
    // document's rewards) with a request in the rider document; the outcome comes back in the
    // office document under the same id.
    const stations = await repo.find(`automerge:${me.docs.stations}`);
    const catalogue = Object.entries(stations.doc().rewards ?? {})
      .filter(([, w]) => w.active)
      .sort(([, a], [, b]) => Number(a.price) - Number(b.price));
    assert.ok(catalogue.length > 0, "the stations document carries the catalogue");
    const [rewardId, reward] = catalogue[0];
    assert.ok(Number(reward.price) <= 25);
    const requestId = randomUUID();
    rider.change((d) => {
      d.redemptions[requestId] = { reward: rewardId, at: Date.now() };
    });
    const decided = Date.now() + 15_000;
    while (!office.doc().redemptions?.[requestId] && Date.now() < decided) {
      await sleep(100);
    }
    const outcome = office.doc().redemptions?.[requestId];
    assert.ok(outcome, "the request was never decided");
    assert.equal(String(outcome.status), "done");
    assert.match(String(outcome.code), /^\d{6}$/);
    assert.equal(String(outcome.name), String(reward.name));
    assert.ok(Number(outcome.expires_at) > Number(outcome.at));
    while (Number(office.doc().points.balance) !== 25 - Number(reward.price) && Date.now() < decided) {
      await sleep(100);
    }
    assert.equal(Number(office.doc().points.balance), 25 - Number(reward.price));
  });

  test("a rider reads the county's stations, checks in and posts a wish with the official client, following schema.md", async () => {
    const { cookie, me } = await login(server.base, RIDER_2);
    const { repo } = officialRepo(await syncTicket(server.base, cookie));
    // docs/schema.md: the stations document, read-only for the county's riders.
    const stations = await repo.find(`automerge:${me.docs.stations}`);
    const all = Object.entries(stations.doc().stations ?? {});
    assert.ok(all.length >= 58, `the county's stations: ${all.length}`);
    const [busId, bus] = all.find(([, s]) => String(s.name) === "小哥驿站（汽车站）");
    assert.equal(Number(bus.lat), 28.8367);
    assert.equal(bus.week.length, 7);
    assert.ok(bus.facilities.map(String).includes("water"));

    // A check-in and a wish, each once under its own UUID in the maps the server made.
    const rider = await repo.find(`automerge:${me.docs.rider}`);
    const checkinId = randomUUID();
    const wishId = randomUUID();
    const text = `想要一个车载手机支架 ${Date.now()}`;
    rider.change((d) => {
      d.checkins[checkinId] = { station: new ImmutableString(busId), at: Date.now() };
      d.wishes[wishId] = { text: new ImmutableString(text), photo: new ImmutableString(""), at: Date.now() };
    });
    await within(relayHas(rider), 15_000, "the relay never had the check-in and the wish");

    // docs/protocol.md section 11: the supervisor sees both, and approves the wish.
    const sup = await login(server.base, SUPERVISOR);
    const deadline = Date.now() + 15_000;
    let listed = [];
    while (Date.now() < deadline) {
      listed = (await getJson(server.base, "/api/wishes?status=pending", sup.cookie)).wishes.filter((w) => w.id === wishId);
      if (listed.length) break;
      await sleep(100);
    }
    assert.equal(listed.length, 1, "the wish is listed");
    assert.equal(listed[0].text, text);
    const counted = await getJson(server.base, "/api/checkins?days=1", sup.cookie);
    assert.ok(counted.stations.find((s) => s.id === busId)?.total >= 1, "the check-in is counted");
    const approve = await fetch(`${server.base}/api/wishes/${me.user.id}/${wishId}`, {
      method: "POST",
      headers: { cookie: sup.cookie, "content-type": "application/json" },
      body: JSON.stringify({ action: "approve" }),
    });
    assert.equal(approve.status, 200);
    // docs/schema.md: the wall entry, with the surname only, and the rider's notice.
    const walled = Date.now() + 15_000;
    // Keyed by the rider's user id and the wish's id.
    const wallKey = `u${me.user.id}-${wishId}`;
    while (!stations.doc().wishes?.[wallKey] && Date.now() < walled) await sleep(100);
    const onWall = stations.doc().wishes?.[wallKey];
    assert.ok(onWall, "the wish never reached the wall");
    assert.equal(String(onWall.status), "approved");
    assert.equal(String(onWall.by), "李师傅");
    const office = await repo.find(`automerge:${me.docs.office}`);
    while (!Object.values(office.doc().notices ?? {}).some((n) => String(n.wish) === wishId) && Date.now() < walled) {
      await sleep(100);
    }
    const notice = Object.values(office.doc().notices ?? {}).find((n) => String(n.wish) === wishId);
    assert.ok(notice, "no notice of the approval");
    assert.equal(String(notice.kind), "wish");
    assert.equal(String(notice.status), "approved");
  });

  test("the relay refuses what docs/protocol.md says it refuses", async () => {
    const { cookie, me } = await login(server.base, RIDER_2);
    const foreignId = (await login(server.base, RIDER_1)).me.docs.rider;

    const upgradeStatus = (url, headers = {}) =>
      new Promise((ok, fail) => {
        const ws = new WebSocket(url, { headers });
        ws.on("unexpected-response", (_req, res) => {
          ok(res.statusCode);
          ws.terminate();
        });
        ws.on("open", () => {
          ok(101);
          ws.close();
        });
        ws.on("error", (e) => (e.message.includes("Unexpected server response") ? 0 : fail(e)));
      });
    const peer = `${me.peer_prefix}browser1`;
    const sameOrigin = server.base;
    assert.equal(
      await upgradeStatus(`${server.wsBase}/sync?peer=${peer}`, { cookie, origin: sameOrigin }),
      101,
      "cookie + same Origin + own peer id",
    );
    assert.equal(
      await upgradeStatus(`${server.wsBase}/sync?peer=${peer}`, {
        cookie,
        origin: "https://evil.example",
      }),
      403,
      "cookie with a foreign Origin",
    );
    assert.equal(
      await upgradeStatus(`${server.wsBase}/sync?peer=${peer}`, { cookie }),
      403,
      "cookie without Origin",
    );
    assert.equal(
      await upgradeStatus(`${server.wsBase}/sync?peer=u1.someone-else`, {
        cookie,
        origin: sameOrigin,
      }),
      400,
      "a peer id of another user",
    );
    assert.equal(await upgradeStatus(`${server.wsBase}/sync?ticket=nope`), 401, "unknown ticket");
    const once = await syncTicket(server.base, cookie);
    assert.equal(await upgradeStatus(`${server.wsBase}/sync?ticket=${once.ticket}`), 101);
    assert.equal(
      await upgradeStatus(`${server.wsBase}/sync?ticket=${once.ticket}`),
      401,
      "a ticket is single use",
    );
    const badPeer = await fetch(`${server.base}/api/sync-ticket`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ peer_id: "u1.not-mine" }),
    });
    assert.equal(badPeer.status, 400, "ticket for a peer id of another user");

    /** Opens a ticket connection, runs `act`, and collects messages until the close. */
    const connection = async (act) => {
      const ticket = await syncTicket(server.base, cookie);
      const ws = new WebSocket(`${server.wsBase}/sync?ticket=${ticket.ticket}`);
      ws.binaryType = "arraybuffer";
      const messages = [];
      const closed = new Promise((ok) => ws.on("close", (code) => ok(code)));
      let gotPeer;
      const peerSeen = new Promise((ok) => (gotPeer = ok));
      ws.on("message", (data) => {
        const m = cbor.decode(new Uint8Array(data));
        messages.push(m);
        if (m.type === "peer") gotPeer(m);
      });
      ws.on("error", () => {});
      await new Promise((ok) => ws.on("open", ok));
      const join = (senderId) =>
        ws.send(
          cbor.encode({
            type: "join",
            senderId,
            supportedProtocolVersions: ["1"],
            peerMetadata: { isEphemeral: true },
          }),
        );
      await act({ ws, ticket, join, peerSeen });
      const code = await within(closed, 10_000, "open").catch(() => "still open");
      if (code === "still open") ws.terminate();
      return { code, messages };
    };

    // Raw handshake: join -> peer; a request for a foreign document -> doc-unavailable.
    const raw = await connection(async ({ ws, ticket, join, peerSeen }) => {
      join(ticket.peer_id);
      const peerMsg = await peerSeen;
      assert.equal(peerMsg.targetId, ticket.peer_id);
      assert.equal(peerMsg.selectedProtocolVersion, "1");
      ws.send(
        cbor.encode({
          type: "request",
          documentId: foreignId,
          senderId: ticket.peer_id,
          targetId: peerMsg.senderId,
          data: new Uint8Array([0x42, 0, 0, 0]), // an empty Automerge sync message
        }),
      );
      await sleep(1_000);
      ws.close();
    });
    const rawForeign = raw.messages.filter((m) => m.documentId === foreignId);
    assert.deepEqual(
      rawForeign.map((m) => m.type),
      ["doc-unavailable"],
    );

    const expectErrorThenClose = ({ code, messages }, closeCode, text) => {
      const last = messages.at(-1);
      assert.equal(last?.type, "error", `an error message before the close (${text})`);
      assert.match(last.message, text);
      if (closeCode !== undefined) assert.equal(code, closeCode);
      else assert.notEqual(code, "still open");
    };

    expectErrorThenClose(
      await connection(({ join }) => join(`${me.peer_prefix}not-the-ticket-one`)),
      undefined,
      /peer ID mismatch/,
    );
    expectErrorThenClose(
      await connection(({ ws }) => ws.send(new Uint8Array([0xff, 0x00, 0x13]))),
      1007,
      /malformed/,
    );
    expectErrorThenClose(
      await connection(({ ws }) => ws.send("hello")),
      1003,
      /text frames/,
    );
    expectErrorThenClose(
      await connection(({ ws }) => ws.send(new Uint8Array(MAX_FRAME + 1))),
      1009,
      /over the limit/,
    );
  });

  test("the page's NuanxinAdapter works over a WHATWG WebSocket", async () => {
    const { NuanxinAdapter, webSocket } = loadDocAdapter(undefined);
    const { cookie, me } = await login(server.base, RIDER_2);
    const adapter = new NuanxinAdapter({
      wsBase: server.wsBase,
      getTicket: async (peerId) => (await syncTicket(server.base, cookie, peerId)).ticket,
      openSocket: (url) => webSocket(url, WebSocket),
    });
    const repo = new Repo({
      network: [adapter],
      peerId: `${me.peer_prefix}whatwg`,
      sharePolicy: async () => true,
    });
    repos.push(repo);
    const handle = await repo.find(`automerge:${me.docs.rider}`);
    assert.equal(String(handle.doc().kind), "rider");
    await repo.shutdown();
  });

  test("the page's NuanxinAdapter reconnects with a new ticket and delivers offline reports", async () => {
    // Its own server, restarted in the middle on the same data folder and port.
    const dir = mkdtempSync(join(tmpdir(), "nuanxin-interop-reconnect-"));
    const port = await freePort();
    let srv = await startServer({ dataDir: dir, port });
    let repo;
    try {
      const { NuanxinAdapter, wxSocket } = loadDocAdapter(fakeWx);
      const { cookie, me } = await login(srv.base, RIDER_1);
      const tickets = [];
      const adapter = new NuanxinAdapter({
        wsBase: srv.wsBase,
        getTicket: async (peerId) => {
          const r = await fetch(`${srv.base}/api/sync-ticket`, {
            method: "POST",
            headers: { cookie, "content-type": "application/json" },
            body: JSON.stringify({ peer_id: peerId }),
          });
          if (!r.ok) throw new Error(`ticket: HTTP ${r.status}`);
          const t = await r.json();
          tickets.push(t);
          return t.ticket;
        },
        openSocket: wxSocket,
        minDelayMs: 100,
      });
      const peerId = `${me.peer_prefix}mini-program-1`;
      repo = new Repo({ network: [adapter], peerId, sharePolicy: async () => true });
      const handle = await repo.find(`automerge:${me.docs.rider}`);
      const first = reportOf({
        category: "garbage",
        lat: 28.84,
        lon: 108.77,
        accuracy_m: 30,
        location_source: "gps",
      });
      handle.change((d) => {
        d.reports[first.id] = first.entry;
      });
      const sup = await login(srv.base, SUPERVISOR);
      await waitForReports(srv.base, sup.cookie, [first.id]);

      // The relay goes away; the rider keeps filing.
      await srv.stop();
      const offline = reportOf({
        category: "road_damage",
        note: "断网时提交",
        lat: 28.85,
        lon: 108.78,
        location_source: "manual",
        place: "桃花源大道",
      });
      handle.change((d) => {
        d.reports[offline.id] = offline.entry;
      });
      await sleep(500);
      srv = await startServer({ dataDir: dir, port });

      const { found } = await waitForReports(srv.base, sup.cookie, [offline.id], 30_000);
      assert.equal(found[0].note, "断网时提交");
      assert.ok(tickets.length >= 2, "a new ticket for the new connection");
      assert.ok(tickets.every((t) => t.peer_id === peerId), "every ticket for the same peer id");
      assert.equal(new Set(tickets.map((t) => t.ticket)).size, tickets.length);
    } finally {
      await repo?.shutdown().catch(() => {});
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
