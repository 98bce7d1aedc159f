import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { Gatehouse, GatehouseTokenError } from "@gatehouse/client";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { DISCOVERY_PATH, RecordingFetch, TOKEN_PATH } from "./harness/recording-fetch.js";

// SPEC 10 and seed 000: every endpoint comes from the discovery document, cached, and read again after a failure.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "discovery" }] });
});
after(() => server?.stop());
afterEach(closeAll);

test("two token requests: the discovery document is fetched once", async () => {
  const { gh, recorder } = gatehouseFor(server, server.clients.discovery!, { scopes: ["decisions:read"] });
  await gh.auth.accessToken();
  await gh.auth.invalidate(await gh.auth.token());

  await gh.auth.accessToken();

  assert.equal(recorder.count(TOKEN_PATH), 2);
  assert.equal(recorder.count(DISCOVERY_PATH), 1);
});

test("token request failing to reach the server: discovery is read again before the next attempt", async () => {
  const recorder = new RecordingFetch();
  let failTokenRequests = 1;
  const original = recorder.fetch;
  const failingOnce: typeof fetch = async (input, init) => {
    if (String(input).endsWith(TOKEN_PATH) && failTokenRequests-- > 0) {
      recorder.unreachable = true;
      try {
        return await original(input, init);
      } finally {
        recorder.unreachable = false;
      }
    }
    return original(input, init);
  };
  const flaky = new Gatehouse({ authority: server.issuer, ...server.clients.discovery!, fetch: failingOnce });
  try {
    assert.match(await flaky.auth.accessToken(), /^ey/);
  } finally {
    flaky.close();
  }

  assert.deepEqual(recorder.exchanges.map((e) => `${e.path} ${e.status ?? "unreachable"}`), [
    `${DISCOVERY_PATH} 200`,
    `${TOKEN_PATH} unreachable`,
    `${DISCOVERY_PATH} 200`,
    `${TOKEN_PATH} 200`,
  ]);
});

test("authority that is not the issuer the document names: discovery_failed, no token request", async () => {
  const { gh, recorder } = gatehouseFor(server, server.clients.discovery!, { authority: server.issuer.replace("127.0.0.1", "localhost") });

  await assert.rejects(gh.auth.accessToken(), (error: unknown) => {
    assert.ok(error instanceof GatehouseTokenError);
    assert.equal(error.error, "discovery_failed");
    assert.match(error.message, /names issuer/);
    return true;
  });
  assert.equal(recorder.count(TOKEN_PATH), 0);
});

test("authority not listening: server unreachable reported as discovery_failed", async () => {
  const { gh } = gatehouseFor(server, server.clients.discovery!, { authority: "http://127.0.0.1:9" });

  await assert.rejects(gh.auth.accessToken(), (error: unknown) => error instanceof GatehouseTokenError && error.error === "discovery_failed");
});

test("authority over plain http to a non-loopback host: refused at construction", () => {
  assert.throws(
    () => new Gatehouse({ authority: "http://sso.example.com", clientId: "cc_client_x", clientSecret: "s" }),
    /https unless it is a loopback address/,
  );
});
