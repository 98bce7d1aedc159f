import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { DISCOVERY_PATH, TOKEN_PATH } from "./harness/recording-fetch.js";
import { ok, ScriptedApi } from "./harness/scripted-api.js";

// SPEC 10: one token request however many callers wait.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "single-flight" }] });
});
after(() => server?.stop());
afterEach(closeAll);

test("accessToken, 1,000 concurrent callers with an empty cache: exactly one token request", async () => {
  const { gh, recorder } = gatehouseFor(server, server.clients["single-flight"]!);
  const issuedBefore = await server.tokensIssued();

  const tokens = await Promise.all(Array.from({ length: 1000 }, () => gh.auth.accessToken()));

  assert.equal(new Set(tokens).size, 1);
  assert.equal(recorder.count(TOKEN_PATH), 1);
  assert.equal(recorder.count(DISCOVERY_PATH), 1);
  assert.equal((await server.tokensIssued()) - issuedBefore, 1, "the server issued more than one token");
});

test("accessToken, callers arriving while the request is in flight: they join it", async () => {
  const { gh, recorder } = gatehouseFor(server, server.clients["single-flight"]!);

  const first = gh.auth.accessToken();
  await new Promise((r) => setImmediate(r)); // the request is on its way
  const late = await Promise.all(Array.from({ length: 100 }, () => gh.auth.accessToken()));

  assert.ok(late.every((t) => t === late[0]));
  assert.equal(await first, late[0]);
  assert.equal(recorder.count(TOKEN_PATH), 1);
});

test("fetch, 200 concurrent API calls with an empty cache: one token request, every call authorized", async () => {
  const api = await ScriptedApi.start((_, response) => ok(response));
  try {
    const { gh, recorder } = gatehouseFor(server, server.clients["single-flight"]!);

    const responses = await Promise.all(Array.from({ length: 200 }, () => gh.fetch(api.url("/partner/v1/ping"))));

    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(recorder.count(TOKEN_PATH), 1);
    assert.equal(api.requests.length, 200);
    assert.ok(api.requests.every((r) => r.token?.startsWith("ey")));
    assert.equal(new Set(api.requests.map((r) => r.token)).size, 1);
  } finally {
    await api.stop();
  }
});
