import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { GatehouseTokenError } from "@gatehouse/client";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { TOKEN_PATH } from "./harness/recording-fetch.js";

// Seed 002: treat invalid_client as a hard failure — do not retry with the same credentials.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "invalid-client" }] });
});
after(() => server?.stop());
afterEach(closeAll);

async function rejection(promise: Promise<unknown>): Promise<GatehouseTokenError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatehouseTokenError, `expected a GatehouseTokenError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

test("accessToken with a wrong secret: a typed invalid_client error after one request, not retried", async () => {
  const partner = server.clients["invalid-client"]!;
  const wrongSecret = partner.clientSecret + "x";
  const { gh, recorder } = gatehouseFor(server, { ...partner, clientSecret: wrongSecret });

  const error = await rejection(gh.auth.accessToken());

  assert.equal(error.isInvalidClient, true);
  assert.equal(error.error, "invalid_client");
  assert.equal(error.status, 401);
  assert.match(error.message, /not retried/);
  assert.ok(!error.message.includes(wrongSecret) && !String(error.stack).includes(wrongSecret));
  assert.equal(recorder.count(TOKEN_PATH), 1);
});

test("accessToken after invalid_client: fails again at once without asking the server", async () => {
  const { gh, recorder } = gatehouseFor(server, { ...server.clients["invalid-client"]!, clientSecret: "cc_secret_sandbox_wrong" });
  await rejection(gh.auth.accessToken());

  const again = await rejection(gh.auth.accessToken());

  assert.equal(again.isInvalidClient, true);
  assert.equal(recorder.count(TOKEN_PATH), 1);
});

test("accessToken with an unknown client id: invalid_client, one request", async () => {
  const { gh, recorder, events } = gatehouseFor(server, { clientId: "cc_client_doesnotexist", clientSecret: "cc_secret_sandbox_x" });

  const error = await rejection(gh.auth.accessToken());

  assert.equal(error.isInvalidClient, true);
  assert.equal(recorder.count(TOKEN_PATH), 1);
  assert.ok(events.some((e) => e.type === "invalid_client" && e.level === "error"));
});

test("accessToken with an unknown scope: invalid_scope, not retried", async () => {
  const { gh, recorder } = gatehouseFor(server, server.clients["invalid-client"]!, { scopes: ["nonexistent:scope"] });

  const error = await rejection(gh.auth.accessToken());

  assert.equal(error.error, "invalid_scope");
  assert.equal(error.status, 400);
  assert.equal(recorder.count(TOKEN_PATH), 1);
});
