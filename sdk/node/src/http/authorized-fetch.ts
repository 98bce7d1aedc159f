import { setTimeout as sleep } from "node:timers/promises";
import type { GatehouseAuth } from "../auth.js";
import type { EventSink } from "../events.js";
import type { ResolvedOptions } from "../options.js";
import type { GatehouseToken } from "../tokens/gatehouse-token.js";
import { isInvalidTokenChallenge } from "./bearer-challenge.js";
import { isReplayableBody } from "./replayable-body.js";
import { retryAfterMs } from "./retry-after.js";

/**
 * Sends an API request with `Authorization: Bearer …`. Seed 002: on a `401 invalid_token`, refresh once and
 * retry the original request a single time (when its body can be sent again). A `429`/`503` with a
 * `Retry-After` no longer than `maxRetryAfterMs` is waited out and repeated, up to `maxApiBackoffRetries` times.
 */
export async function authorizedFetch(
  auth: GatehouseAuth, options: ResolvedOptions, events: EventSink, input: string | URL | Request, init: RequestInit = {},
): Promise<Response> {
  const base = input instanceof Request ? input : undefined;
  // A Request is cloned for every attempt, so its own body stays unread and can be sent again.
  const replayable = init.body !== undefined ? isReplayableBody(init.body) : true;
  const url = new URL(base?.url ?? String(input));
  const method = (init.method ?? base?.method ?? "GET").toUpperCase();
  // The path only: a query string may carry something sensitive.
  const where = { method, host: url.host, path: url.pathname };

  const send = (token: GatehouseToken) => {
    const headers = new Headers(init.headers ?? base?.headers);
    headers.set("authorization", `Bearer ${token.accessToken}`);
    return options.fetch(base ? base.clone() : input, { ...init, headers });
  };

  let token = await auth.token();
  let response = await send(token);

  if (isInvalidTokenChallenge(response)) {
    // The API refused even the token renewed for it moments ago: another renewal would fix nothing and
    // mint a token per call, so the caller gets the 401 as it is.
    if (auth.isRecentForcedRenewal(token)) {
      events.emit({ type: "api_invalid_token", level: "warn", ...where, action: "renewed_recently",
        message: `${method} ${url.host}${url.pathname} answered 401 invalid_token to a token renewed for it less than 30 s ago; returning the 401 without renewing again.` });
      return response;
    }
    if (!replayable) {
      events.emit({ type: "api_invalid_token", level: "info", ...where, action: "not_replayable",
        message: `${method} ${url.host}${url.pathname} answered 401 invalid_token and cannot be replayed; returning the 401.` });
      await auth.invalidate(token);
      return response;
    }
    events.emit({ type: "api_invalid_token", level: "info", ...where, action: "retried",
      message: `${method} ${url.host}${url.pathname} answered 401 invalid_token; getting a new token and retrying once.` });
    events.emit({ type: "retry", level: "debug", reason: "invalid_token", message: "Retrying an API request after invalid_token." });
    await discard(response);
    await auth.invalidate(token);
    token = await auth.token();
    response = await send(token);
  }

  for (let retry = 0; retry < options.maxApiBackoffRetries; retry++) {
    if (response.status !== 429 && response.status !== 503) break;
    // Without Retry-After the API gave no schedule to honour; the caller's own policy decides.
    const delay = retryAfterMs(response.headers);
    if (delay === undefined || delay > options.maxRetryAfterMs || !replayable) break;
    events.emit({ type: "api_backing_off", level: "info", ...where, status: response.status, delayMs: delay,
      message: `${method} ${url.host}${url.pathname} answered ${response.status}; retrying after ${delay} ms as Retry-After asks.` });
    events.emit({ type: "retry", level: "debug", reason: "retry_after", message: "Retrying an API request after Retry-After." });
    await discard(response);
    await sleep(delay, undefined, init.signal ? { signal: init.signal } : undefined);
    token = await auth.token();
    response = await send(token);
  }
  return response;
}

/** Frees the connection of a response the caller will never see. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already consumed or errored: nothing to free
  }
}
