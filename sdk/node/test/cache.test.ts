import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { RecordingCache } from "./harness/recording-cache.js";
import { TOKEN_PATH } from "./harness/recording-fetch.js";

// Seed 002: cache and reuse tokens, keyed by client + scope set; Redis (any shared cache) when there are
// several instances, with the token protected there.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "cache", audiences: ["partner/v1", "internal/v1"] }] });
});
after(() => server?.stop());
afterEach(closeAll);

const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

test("accessToken twice: one token request, the second served from memory", async () => {
  const { gh, recorder, events } = gatehouseFor(server, server.clients.cache!);

  const first = await gh.auth.token();
  const second = await gh.auth.token();

  assert.equal(second, first);
  assert.equal(recorder.count(TOKEN_PATH), 1);
  assert.deepEqual(events.filter((e) => e.type === "cache_hit").map((e) => e.type === "cache_hit" && e.tier), ["memory"]);
});

test("accessToken for another scope set: another token with that scope", async () => {
  const readDecisions = gatehouseFor(server, server.clients.cache!, { scopes: ["decisions:read"] });
  const writeApplications = gatehouseFor(server, server.clients.cache!, { scopes: ["applications:write"] });

  const a = await readDecisions.gh.auth.accessToken();
  const b = await writeApplications.gh.auth.accessToken();

  assert.notEqual(a, b);
  assert.equal(payload(a).scope, "decisions:read");
  assert.equal(payload(b).scope, "applications:write");
});

test("accessToken with an audience: the token is for that audience", async () => {
  const { gh } = gatehouseFor(server, server.clients.cache!, { scopes: ["decisions:read"], audience: "internal/v1" });

  assert.equal(payload(await gh.auth.accessToken()).aud, "internal/v1");
});

test("shared cache, second instance with the same scope set in another order: reuses the token without a request", async () => {
  const shared = new RecordingCache();
  const first = gatehouseFor(server, server.clients.cache!, { scopes: ["decisions:read", "applications:read"], sharedCache: shared });
  const second = gatehouseFor(server, server.clients.cache!, { scopes: ["applications:read", "decisions:read", "decisions:read"], sharedCache: shared });

  const minted = await first.gh.auth.accessToken();
  const reused = await second.gh.auth.accessToken();

  assert.equal(reused, minted);
  assert.equal(first.recorder.count(TOKEN_PATH), 1);
  assert.equal(second.recorder.count(TOKEN_PATH), 0);
  assert.ok(second.events.some((e) => e.type === "cache_hit" && e.tier === "shared"));
});

test("shared cache, other audience: a key of its own and its own token", async () => {
  const shared = new RecordingCache();
  const partner = gatehouseFor(server, server.clients.cache!, { scopes: ["decisions:read"], sharedCache: shared });
  const internal = gatehouseFor(server, server.clients.cache!, { scopes: ["decisions:read"], audience: "internal/v1", sharedCache: shared });

  const a = await partner.gh.auth.accessToken();
  const b = await internal.gh.auth.accessToken();

  assert.notEqual(a, b);
  assert.equal(shared.entries.size, 2);
  assert.equal(internal.recorder.count(TOKEN_PATH), 1);
});

test("shared cache entry: sealed, neither the token nor the client id in key or value", async () => {
  const shared = new RecordingCache();
  const { gh } = gatehouseFor(server, server.clients.cache!, { sharedCache: shared });

  const token = await gh.auth.accessToken();

  assert.equal(shared.entries.size, 1);
  const [[key, value]] = [...shared.entries] as [[string, string]];
  const stored = Buffer.from(value, "base64url");
  for (const text of [value, stored.toString("latin1")]) {
    assert.ok(!text.includes(token.split(".")[1]!), "the token's payload is readable in the cache");
    assert.ok(!text.includes(server.clients.cache!.clientId));
  }
  assert.ok(!key.includes(server.clients.cache!.clientId));
  assert.match(key, /^gatehouse:token:[0-9a-f]{64}$/);
  assert.equal(stored[0], 1); // format version, then nonce, tag and AES-GCM ciphertext
});

test("shared cache entry tampered with: ignored, a new token is requested", async () => {
  const shared = new RecordingCache();
  const writer = gatehouseFor(server, server.clients.cache!, { sharedCache: shared });
  await writer.gh.auth.accessToken();
  const [[key, value]] = [...shared.entries] as [[string, string]];
  const sealed = Buffer.from(value, "base64url");
  sealed[sealed.length - 1]! ^= 0xff;
  shared.entries.set(key, sealed.toString("base64url"));
  const reader = gatehouseFor(server, server.clients.cache!, { sharedCache: shared });

  await reader.gh.auth.accessToken();

  assert.equal(reader.recorder.count(TOKEN_PATH), 1);
  assert.ok(reader.events.some((e) => e.type === "shared_cache_unreadable"));
});

test("shared cache entry sealed under another key: unreadable, a new token is requested", async () => {
  const shared = new RecordingCache();
  const writer = gatehouseFor(server, server.clients.cache!, { sharedCache: shared, cacheEncryptionKey: "one key" });
  await writer.gh.auth.accessToken();
  const reader = gatehouseFor(server, server.clients.cache!, { sharedCache: shared, cacheEncryptionKey: "another key" });

  await reader.gh.auth.accessToken();

  assert.equal(reader.recorder.count(TOKEN_PATH), 1);
});

test("shared cache failing: the token is still served, the failure reported", async () => {
  const broken = {
    get: async () => { throw new Error("ECONNREFUSED 127.0.0.1:6379"); },
    set: async () => { throw new Error("ECONNREFUSED 127.0.0.1:6379"); },
    delete: async () => {},
  };
  const { gh, events } = gatehouseFor(server, server.clients.cache!, { sharedCache: broken });

  assert.match(await gh.auth.accessToken(), /^ey/);
  assert.deepEqual(events.filter((e) => e.type === "shared_cache_failed").map((e) => e.type === "shared_cache_failed" && e.operation), ["get", "set"]);
});
