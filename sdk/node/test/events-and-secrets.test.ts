import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { after, afterEach, before, test } from "node:test";
import { Gatehouse, type GatehouseEvent } from "@gatehouse/client";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { invalidToken, ok, ScriptedApi } from "./harness/scripted-api.js";

// SPEC 10: secrets never logged. Events are what applications log and count, so neither they nor errors
// nor the token object's printed forms may carry a secret or a token.
let server: RunningGatehouse;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "events" }] });
});
after(() => server?.stop());
afterEach(closeAll);

test("events of a whole session (token, cache hit, 401 retry, invalid_client): none carries the secret or a token", async () => {
  const client = server.clients.events!;
  const api = await ScriptedApi.start((n, response) => (n === 1 ? invalidToken(response) : ok(response)));
  const events: GatehouseEvent[] = [];
  try {
    const { gh } = gatehouseFor(server, client, { onEvent: (e) => events.push(e) });
    await gh.auth.accessToken();
    await gh.auth.accessToken();
    await (await gh.fetch(api.url("/partner/v1/decisions/dec_1?applicant=secret-query"))).text();
    const wrong = gatehouseFor(server, { ...client, clientSecret: client.clientSecret + "wrong" }, { onEvent: (e) => events.push(e) });
    await assert.rejects(wrong.gh.auth.accessToken());

    const types = new Set(events.map((e) => e.type));
    for (const expected of ["discovery_fetched", "token_request", "token_acquired", "cache_hit", "cache_miss", "api_invalid_token", "retry", "invalid_client"])
      assert.ok(types.has(expected as GatehouseEvent["type"]), `no ${expected} event`);
    const printed = JSON.stringify(events);
    assert.ok(!printed.includes(client.clientSecret), "an event carries the client secret");
    for (const token of api.requests.map((r) => r.token!)) assert.ok(!printed.includes(token), "an event carries a token");
    assert.ok(!printed.includes("secret-query"), "an event carries the query string");
    assert.ok(events.every((e) => typeof e.message === "string" && ["debug", "info", "warn", "error"].includes(e.level)));
  } finally {
    await api.stop();
  }
});

test("token request event: outcome, status and duration for metrics", async () => {
  const { gh, events } = gatehouseFor(server, server.clients.events!);

  await gh.auth.accessToken();

  const requests = events.filter((e): e is Extract<GatehouseEvent, { type: "token_request" }> => e.type === "token_request");
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.outcome, "success");
  assert.equal(requests[0]!.status, 200);
  assert.ok(requests[0]!.durationMs > 0);
});

test("a throwing event hook: the token is still served", async () => {
  const { gh } = gatehouseFor(server, server.clients.events!, { onEvent: () => { throw new Error("logger down"); } });

  assert.match(await gh.auth.accessToken(), /^ey/);
});

test("token printed, logged as JSON or inspected: the access token does not appear", async () => {
  const { gh } = gatehouseFor(server, server.clients.events!);

  const token = await gh.auth.token();

  for (const printed of [String(token), JSON.stringify(token), inspect(token), JSON.stringify({ ...token })])
    assert.ok(!printed.includes(token.accessToken), printed);
  assert.match(String(token), /GatehouseToken\(scope: .*, expires: /);
});

test("client_secret_basic: id and secret are form-url-encoded before base64 (RFC 6749 §2.3.1)", async () => {
  // A loopback authority that only records what the client sends: the real server's secrets are URL-safe,
  // so the encoding of ':' '+' ' ' and non-ASCII can only be seen on the wire.
  let authorization: string | undefined;
  const capture = createServer((request, response) => {
    const issuer = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    if (request.url === "/.well-known/oauth-authorization-server") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer, token_endpoint: `${issuer}/oauth/token` }));
      return;
    }
    authorization = request.headers.authorization;
    response.writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ access_token: "eyJ.captured.x", token_type: "Bearer", expires_in: 3600 }));
  });
  await new Promise<void>((done) => capture.listen(0, "127.0.0.1", done));
  const gh = new Gatehouse({
    authority: `http://127.0.0.1:${(capture.address() as AddressInfo).port}`,
    clientId: "cc_client_a b",
    clientSecret: "s3cr:t+/é~*",
  });
  try {
    await gh.auth.accessToken();
  } finally {
    gh.close();
    capture.closeAllConnections();
    capture.close();
  }

  assert.ok(authorization?.startsWith("Basic "));
  assert.equal(Buffer.from(authorization!.slice(6), "base64").toString("utf8"), "cc_client_a+b:s3cr%3At%2B%2F%C3%A9%7E*");
});
