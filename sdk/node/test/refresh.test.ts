import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGatehouse, type RunningGatehouse } from "./harness/gatehouse-server.js";
import { closeAll, gatehouseFor } from "./harness/clients.js";
import { TOKEN_PATH } from "./harness/recording-fetch.js";
import { delay, eventually } from "./harness/eventually.js";

// Seed 002: refresh proactively at ~90% of the lifetime and at least 60 s before exp, so an in-flight request
// never races expiry, and no caller waits for it. Two servers with short lifetimes show both rules:
//  - 65 s: 90% is 58.5 s, but "60 s before exp" wins, so the refresh is due 5 s in;
//  - 10 s: too short for either (exp - 60 s is before issue), so, as in Gatehouse.Client, at half-life: 5 s in.
let lifetime65: RunningGatehouse;
let lifetime10: RunningGatehouse;
before(async () => {
  [lifetime65, lifetime10] = await Promise.all([
    startGatehouse({ clients: [{ name: "refresh" }], settings: { "Gatehouse:Tokens:AccessTokenLifetime": "00:01:05" } }),
    startGatehouse({ clients: [{ name: "refresh" }], settings: { "Gatehouse:Tokens:AccessTokenLifetime": "00:00:10" } }),
  ]);
});
after(async () => {
  closeAll();
  await Promise.all([lifetime65?.stop(), lifetime10?.stop()]);
});

// Each test waits for real time to pass; they wait side by side.
describe("proactive refresh", { concurrency: true }, () => {
  test("65 s lifetime: refreshed in the background 60 s before exp while callers keep the valid token", async () => {
    const { gh, recorder, events } = gatehouseFor(lifetime65, lifetime65.clients.refresh!);
    const first = await gh.auth.token();
    assert.ok(Math.abs(first.expiresAt - first.issuedAt - 65_000) < 1, `lifetime ${first.expiresAt - first.issuedAt} ms`);
    assert.equal(first.refreshAt - first.issuedAt, 5_000);

    await delay(4_000);
    assert.equal(await gh.auth.token(), first, "before the refresh point the cached token is served");
    assert.equal(recorder.count(TOKEN_PATH), 1);

    await eventually(() => recorder.count(TOKEN_PATH) === 2, 5_000, "the background refresh");
    const refreshedAt = recorder.to(TOKEN_PATH)[1]!.sentAt - first.issuedAt;
    assert.ok(refreshedAt >= 4_990 && refreshedAt < 7_000, `refreshed ${refreshedAt} ms after issue`);
    await eventually(() => events.some((e) => e.type === "refresh" && e.outcome === "success"), 5_000, "the refresh to land");
    const refreshed = await gh.auth.token();
    assert.notEqual(refreshed.accessToken, first.accessToken);
    assert.ok(refreshed.expiresAt > first.expiresAt);
    assert.equal(recorder.count(TOKEN_PATH), 2);
  });

  test("10 s lifetime: too short for the 60 s lead, refreshed at half-life", async () => {
    const { gh, recorder } = gatehouseFor(lifetime10, lifetime10.clients.refresh!);
    const first = await gh.auth.token();
    assert.equal(first.refreshAt - first.issuedAt, 5_000);
    assert.equal(first.usableUntil - first.issuedAt, 9_000); // 10% of the lifetime (at most 5 s) kept as margin

    await eventually(() => recorder.count(TOKEN_PATH) === 2, 8_000, "the background refresh");
    const refreshedAt = recorder.to(TOKEN_PATH)[1]!.sentAt - first.issuedAt;
    assert.ok(refreshedAt >= 4_990 && refreshedAt < 7_000, `refreshed ${refreshedAt} ms after issue`);
    await eventually(() => recorder.to(TOKEN_PATH)[1]!.status === 200, 5_000, "the refresh to land");
    await delay(50);
    assert.notEqual(await gh.auth.accessToken(), first.accessToken);
  });

  test("refresh failing until the token expires: retried while it lasts, then left to the next caller", async () => {
    const { gh, recorder, events } = gatehouseFor(lifetime10, lifetime10.clients.refresh!, { maxTokenRequestAttempts: 1 });
    const first = await gh.auth.token();
    const beforeOutage = recorder.attempts;
    recorder.unreachable = true;

    await delay(7_500 - (Date.now() - first.issuedAt));
    assert.equal(await gh.auth.accessToken(), first.accessToken, "the valid token is served while refreshes fail");
    await eventually(() => events.some((e) => e.type === "background_refresh_stopped"), 5_000, "the background refresh to give up");
    const attempts = recorder.attempts;
    assert.ok(recorder.to(TOKEN_PATH).length - 1 >= 3, `${attempts - beforeOutage} background attempts while the token lasted`);

    await delay(1_500);
    assert.equal(recorder.attempts, attempts, "no more requests to a dead server while nobody asks");
    recorder.unreachable = false;
    const next = await gh.auth.accessToken(); // a caller asks again
    assert.notEqual(next, first.accessToken);
  });
});
