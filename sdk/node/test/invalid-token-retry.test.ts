import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { TOKEN_PATH } from "./harness/recording-fetch.js";
import { invalidToken, ok, ScriptedApi, status } from "./harness/scripted-api.js";

// Seed 002: on a 401 invalid_token, refresh once and retry the original request a single time.
// SPEC 10: 429/503 from an API are waited out as Retry-After asks.
let server: RunningGatehouse;
let api: ScriptedApi | undefined;
before(async () => {
  server = await startGatehouse({ clients: [{ name: "retry" }] });
});
after(() => server?.stop());
afterEach(async () => {
  closeAll();
  await api?.stop();
  api = undefined;
});

const decision = () => api!.url("/partner/v1/decisions/dec_1");

test("fetch answered 401 invalid_token once: drops the token, mints a new one and retries once", async () => {
  api = await ScriptedApi.start((n, response) => (n === 1 ? invalidToken(response) : ok(response)));
  const { gh, recorder, events } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision());

  assert.equal(response.status, 200);
  const tokens = api.requests.map((r) => r.token);
  assert.equal(tokens.length, 2);
  assert.notEqual(tokens[0], tokens[1]);
  assert.equal(recorder.count(TOKEN_PATH), 2);
  assert.equal(await gh.auth.accessToken(), tokens[1]);
  assert.ok(events.some((e) => e.type === "api_invalid_token" && e.action === "retried" && e.path === "/partner/v1/decisions/dec_1"));
});

test("fetch answered 401 invalid_token twice: the second 401 is returned, no third attempt", async () => {
  api = await ScriptedApi.start((_, response) => invalidToken(response));
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision());

  assert.equal(response.status, 401);
  assert.equal(api.requests.length, 2);
});

test("fetch answered 401 invalid_token even for fresh tokens: renews at most once in 30 s", async () => {
  api = await ScriptedApi.start((_, response) => invalidToken(response));
  const { gh, recorder } = gatehouseFor(server, server.clients.retry!);

  for (let call = 0; call < 3; call++) assert.equal((await gh.fetch(decision())).status, 401);

  assert.equal(recorder.count(TOKEN_PATH), 2); // the first token and one renewal, not one per call
  assert.equal(api.requests.length, 4);        // 2 (with the retry), then 1 and 1
});

test("fetch POST with a JSON string body answered 401 invalid_token: the same body is replayed", async () => {
  api = await ScriptedApi.start((n, response) => (n === 1 ? invalidToken(response) : ok(response)));
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(api.url("/partner/v1/applications"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ company_number: "09876543", amount_minor: 2_500_000 }),
  });

  assert.equal(response.status, 200);
  const bodies = api.requests.map((r) => r.body);
  assert.equal(bodies.length, 2);
  assert.match(bodies[1]!, /09876543/);
  assert.equal(bodies[0], bodies[1]);
});

test("fetch with a Request object carrying a body, answered 401 invalid_token: replayed from a clone", async () => {
  api = await ScriptedApi.start((n, response) => (n === 1 ? invalidToken(response) : ok(response)));
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(new Request(api.url("/partner/v1/applications"), { method: "POST", body: '{"company_number":"1"}' }));

  assert.equal(response.status, 200);
  assert.deepEqual(api.requests.map((r) => r.body), ['{"company_number":"1"}', '{"company_number":"1"}']);
});

test("fetch with a streamed body answered 401 invalid_token: not replayed, but the token is dropped", async () => {
  api = await ScriptedApi.start((n, response) => (n === 1 ? invalidToken(response) : ok(response)));
  const { gh } = gatehouseFor(server, server.clients.retry!);
  const first = await gh.auth.accessToken();
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"company_number":"1"}'));
      controller.close();
    },
  });

  const response = await gh.fetch(api.url("/partner/v1/applications"), { method: "POST", body: stream, duplex: "half" } as RequestInit);

  assert.equal(response.status, 401);
  assert.equal(api.requests.length, 1);
  assert.notEqual(await gh.auth.accessToken(), first);
});

test("fetch answered 401 without error=invalid_token: returned, not retried", async () => {
  api = await ScriptedApi.start((_, response) => {
    response.writeHead(401, { "www-authenticate": 'Bearer resource_metadata="http://example.test/.well-known/oauth-protected-resource"' }).end();
  });
  const { gh, recorder } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision());

  assert.equal(response.status, 401);
  assert.equal(api.requests.length, 1);
  assert.equal(recorder.count(TOKEN_PATH), 1);
});

test("fetch answered 503 with Retry-After: 1: waits a second, then repeats the request", async () => {
  api = await ScriptedApi.start((n, response) => (n === 1 ? status(response, 503, "1") : ok(response)));
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision());

  assert.equal(response.status, 200);
  assert.equal(api.requests.length, 2);
  const waited = api.requests[1]!.at - api.requests[0]!.at;
  assert.ok(waited >= 950, `repeated after ${waited} ms`);
});

test("fetch answered 429 with Retry-After beyond maxRetryAfterMs: returned without waiting", async () => {
  api = await ScriptedApi.start((_, response) => status(response, 429, "120"));
  const { gh } = gatehouseFor(server, server.clients.retry!);
  await gh.auth.accessToken();
  const started = Date.now();

  const response = await gh.fetch(decision());

  assert.equal(response.status, 429);
  assert.equal(api.requests.length, 1);
  assert.ok(Date.now() - started < 5_000);
});

test("fetch answered 503 without Retry-After: returned to the caller", async () => {
  api = await ScriptedApi.start((_, response) => status(response, 503));
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision());

  assert.equal(response.status, 503);
  assert.equal(api.requests.length, 1);
});

test("fetch keeps the caller's headers and adds the bearer token", async () => {
  api = await ScriptedApi.start((_, response, request) => {
    response.writeHead(200, { "content-type": "text/plain" }).end(String(request.headers["x-request-id"]));
  });
  const { gh } = gatehouseFor(server, server.clients.retry!);

  const response = await gh.fetch(decision(), { headers: { "x-request-id": "req_42" } });

  assert.equal(await response.text(), "req_42");
  assert.equal(api.requests[0]!.token, await gh.auth.accessToken());
});
