import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { GatehouseTokenError } from "@gatehouse/client";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { RecordingFetch, TOKEN_PATH } from "./harness/recording-fetch.js";

// SPEC 10: 429/503 from the token endpoint back off honouring Retry-After. Each client here may get one
// token a second (seed 002's limit, lowered): the second request in a second gets 429 with Retry-After.
// Each test has a client of its own, so that no test waits for another's window to pass.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({
    clients: [1, 2, 3].map((n) => ({ name: `throttled-${n}`, rateLimit: 1 })),
  });
});
after(() => server?.stop());
afterEach(closeAll);

async function rejection(promise: Promise<unknown>): Promise<GatehouseTokenError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatehouseTokenError, String(error));
    return error;
  }
  assert.fail("expected the call to fail");
}

test("token endpoint answers 429 with Retry-After: waits that long, then gets the token", async () => {
  const client = server.clients["throttled-1"]!;
  const recorder = new RecordingFetch();
  const decisions = gatehouseFor(server, client, { scopes: ["decisions:read"] }, recorder);
  const applications = gatehouseFor(server, client, { scopes: ["applications:read"] }, recorder);
  await decisions.gh.auth.accessToken();

  const token = await applications.gh.auth.token(); // same client, same second: the server says 429

  const exchanges = recorder.to(TOKEN_PATH);
  assert.deepEqual(exchanges.map((e) => e.status), [200, 429, 200]);
  const retryAfterSeconds = Number(exchanges[1]!.retryAfter);
  assert.ok(retryAfterSeconds >= 1, "429 without Retry-After");
  const waited = exchanges[2]!.sentAt - exchanges[1]!.sentAt;
  assert.ok(waited >= retryAfterSeconds * 1000 - 50, `retried after ${waited} ms; Retry-After was ${retryAfterSeconds} s`);
  assert.equal(token.scope, "applications:read");
  assert.ok(applications.events.some((e) => e.type === "retry" && e.reason === "retry_after"));
});

test("token endpoint Retry-After longer than maxRetryAfterMs: fails at once with rate_limited and the wait", async () => {
  const client = server.clients["throttled-2"]!;
  const recorder = new RecordingFetch();
  const first = gatehouseFor(server, client, { scopes: ["identity:read"] }, recorder);
  const impatient = gatehouseFor(server, client, { scopes: ["accounts:read"], maxRetryAfterMs: 500 }, recorder);
  await first.gh.auth.accessToken();
  const started = Date.now();

  const error = await rejection(impatient.gh.auth.accessToken());

  assert.equal(error.error, "rate_limited");
  assert.equal(error.status, 429);
  assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs >= 1000, `retryAfterMs ${error.retryAfterMs}`);
  assert.equal(recorder.count(TOKEN_PATH), 2);
  assert.ok(Date.now() - started < 500, "it waited");
});

test("token endpoint Retry-After longer than allowed: the next call fails fast without a request", async () => {
  const client = server.clients["throttled-3"]!;
  const first = gatehouseFor(server, client, { scopes: ["identity:read"] });
  const impatient = gatehouseFor(server, client, { scopes: ["accounts:read"], maxRetryAfterMs: 500 });
  await first.gh.auth.accessToken();
  await rejection(impatient.gh.auth.accessToken()); // 429, Retry-After too long

  const again = await rejection(impatient.gh.auth.accessToken());

  assert.equal(impatient.recorder.count(TOKEN_PATH), 1);
  assert.equal(again.error, "rate_limited");
  assert.ok(again.retryAfterMs !== undefined && again.retryAfterMs > 0);
});
