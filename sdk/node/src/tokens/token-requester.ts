import { setTimeout as sleep } from "node:timers/promises";
import type { DiscoveryCache } from "../discovery/discovery-cache.js";
import { GatehouseTokenError } from "../errors.js";
import type { EventSink } from "../events.js";
import type { ResolvedOptions } from "../options.js";
import type { GatehouseToken } from "./gatehouse-token.js";
import type { TokenEndpointClient } from "./token-endpoint-client.js";
import { isTransient, toError, type TokenFailure } from "./token-failure.js";

export type RequestOutcome = { token: GatehouseToken; error?: undefined } | { token?: undefined; error: GatehouseTokenError };

// After invalid_client the same credentials cannot succeed; asking again would only feed the server's
// failed-authentication throttle, which blocks the whole address.
const INVALID_CLIENT_QUIET_MS = 5 * 60_000;
const MAX_BACKOFF_WITHOUT_RETRY_AFTER_MS = 8_000;

/**
 * Gets one token from the discovered endpoint, waiting out 429/503 `Retry-After` (or backing off on
 * transient failures) up to `maxTokenRequestAttempts`. Remembers what binds the client beyond one call:
 * the server's `Retry-After`, and an `invalid_client`.
 */
export class TokenRequester {
  private notBefore = 0; // Retry-After from the token endpoint
  private invalidClient: { error: GatehouseTokenError; until: number } | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly discovery: DiscoveryCache,
    private readonly endpoint: TokenEndpointClient,
    private readonly events: EventSink,
    private readonly signal: AbortSignal,
  ) {}

  async request(): Promise<RequestOutcome> {
    const { clientId, maxTokenRequestAttempts, maxRetryAfterMs } = this.options;
    if (this.invalidClient && Date.now() < this.invalidClient.until) return { error: this.invalidClient.error };
    let failure: TokenFailure | undefined;
    for (let attempt = 1; attempt <= maxTokenRequestAttempts; attempt++) {
      const wait = this.notBefore - Date.now();
      if (wait > maxRetryAfterMs)
        return { error: new GatehouseTokenError(failure?.error ?? "rate_limited",
          `The token endpoint asked to wait ${Math.ceil(wait / 1000)} s, longer than maxRetryAfterMs.`,
          { status: failure?.status, retryAfterMs: wait }) };
      if (wait > 0 && !(await this.sleep(wait))) return { error: closed() };

      let tokenEndpoint: string;
      try {
        tokenEndpoint = (await this.discovery.get()).tokenEndpoint;
      } catch (error) {
        return { error: error instanceof GatehouseTokenError ? error : new GatehouseTokenError("discovery_failed", String(error)) };
      }
      const result = await this.endpoint.request(tokenEndpoint);
      if (result.token) return { token: result.token };
      failure = result.failure;
      if (failure.error === "closed") return { error: closed() };
      // Retry-After binds this client, not only this call's next attempt: the next call waits or fails fast too.
      if (failure.retryAfterMs !== undefined) this.notBefore = Date.now() + failure.retryAfterMs;

      if (failure.error === "invalid_client") {
        this.events.emit({
          type: "invalid_client", level: "error", clientId, description: failure.description,
          message: `The authorization server rejected client ${clientId}: invalid_client (${failure.description ?? "no description"}). Not retrying.`,
        });
        const error = toError(failure);
        this.invalidClient = { error, until: Date.now() + INVALID_CLIENT_QUIET_MS };
        return { error };
      }
      if (!isTransient(failure) || attempt === maxTokenRequestAttempts) break;

      const delay = failure.retryAfterMs ?? backoff(attempt);
      if (delay > maxRetryAfterMs) break;
      // An unreachable or broken endpoint may have moved: read the metadata again before the next try.
      if (failure.status === undefined || failure.status >= 500) this.discovery.markStale();
      this.notBefore = Date.now() + delay;
      this.events.emit({ type: "retry", level: "debug", reason: failure.retryAfterMs === undefined ? "transient" : "retry_after",
        message: `Retrying the token request (${failure.error}).` });
      this.events.emit({
        type: "token_request_backing_off", level: "warn", clientId, error: failure.error, status: failure.status, delayMs: delay,
        message: `Token request for client ${clientId} failed: ${failure.error} (HTTP ${failure.status ?? "-"}); retrying in ${delay} ms.`,
      });
    }
    const last = failure!;
    this.events.emit({
      type: "token_request_failed", level: "warn", clientId, error: last.error, status: last.status,
      message: `Token request for client ${clientId} failed: ${last.error} (HTTP ${last.status ?? "-"}).`,
    });
    return { error: toError(last) };
  }

  /** False when the client was closed meanwhile. */
  private async sleep(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.signal });
      return true;
    } catch {
      return false;
    }
  }
}

function closed(): GatehouseTokenError {
  return new GatehouseTokenError("closed", "The Gatehouse client was closed.");
}

// 0.5 s, 1 s, 2 s … with jitter, so instances that failed together do not retry together.
function backoff(attempt: number): number {
  const ms = Math.min(500 * 2 ** (attempt - 1), MAX_BACKOFF_WITHOUT_RETRY_AFTER_MS);
  return Math.round(ms * (0.8 + 0.4 * Math.random()));
}
