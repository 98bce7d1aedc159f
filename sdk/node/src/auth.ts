import type { SharedTier } from "./cache/shared-token-cache.js";
import { GatehouseTokenError } from "./errors.js";
import type { EventSink } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { GatehouseToken } from "./tokens/gatehouse-token.js";
import type { TokenRequester } from "./tokens/token-requester.js";
import { TokenSlot } from "./tokens/token-slot.js";

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps one token ready: served from memory (or the shared cache), refreshed in the background before it
 * expires, and requested once however many callers are waiting (single flight).
 */
export class GatehouseAuth {
  private readonly slot = new TokenSlot();
  private flight: Promise<GatehouseToken> | undefined; // the one token request in progress
  private refreshTimer: NodeJS.Timeout | undefined;
  private nextRefreshAt = Infinity;

  /** @internal */
  constructor(
    private readonly options: ResolvedOptions,
    private readonly requester: TokenRequester,
    private readonly shared: SharedTier | undefined,
    private readonly events: EventSink,
    private readonly signal: AbortSignal,
  ) {}

  /** A valid access token, to send as `Authorization: Bearer …`. */
  async accessToken(): Promise<string> {
    return (await this.token()).accessToken;
  }

  /**
   * The token with its expiry. Served from the cache when there is one; otherwise waits for the single
   * token request in flight. Rejects with a `GatehouseTokenError` when no token can be had.
   */
  token(): Promise<GatehouseToken> {
    const current = this.slot.current;
    const now = Date.now();
    if (current && now < current.usableUntil) {
      this.events.emit({ type: "cache_hit", level: "debug", tier: "memory", message: "Token served from memory." });
      // The timer normally refreshes first; this covers a timer that has not fired yet.
      if (now >= this.nextRefreshAt) this.refreshInBackground();
      return Promise.resolve(current);
    }
    this.events.emit({ type: "cache_miss", level: "debug", message: "No usable token cached; waiting for a token request." });
    return this.joinFlight();
  }

  /**
   * Forgets `token` (an API answered `invalid_token`), here and in the shared cache, so the next call gets
   * a new one. Does nothing to a newer token already cached.
   */
  async invalidate(token: GatehouseToken): Promise<void> {
    if (this.slot.reject(token)) this.cancelRefresh();
    await this.shared?.deleteIf(token.accessToken);
  }

  /** @internal True when `token` is the renewal an earlier `invalid_token` forced, less than 30 s ago. */
  isRecentForcedRenewal(token: GatehouseToken): boolean {
    return this.slot.isRecentForcedRenewal(token);
  }

  /** @internal */
  close(): void {
    this.cancelRefresh();
  }

  private joinFlight(): Promise<GatehouseToken> {
    // The new token is in the slot before the flight ends, so a caller arriving afterwards finds it there.
    return (this.flight ??= this.fly().finally(() => (this.flight = undefined)));
  }

  private async fly(): Promise<GatehouseToken> {
    if (this.shared) {
      // Another instance's newer token; not the one this refresh replaces, which (with refreshes spread out)
      // stays in the shared cache until the first instance to refresh replaces it.
      const shared = await this.shared.get();
      if (shared && shared.accessToken !== this.slot.current?.accessToken && Date.now() < shared.refreshAt && this.adopt(shared)) {
        this.events.emit({ type: "cache_hit", level: "debug", tier: "shared", message: "Token taken from the shared cache." });
        return shared;
      }
    }
    const outcome = await this.requester.request();
    if (outcome.error) throw outcome.error;
    this.adopt(outcome.token);
    await this.shared?.set(outcome.token);
    return outcome.token;
  }

  private adopt(token: GatehouseToken): boolean {
    if (!this.slot.adopt(token)) return false;
    const refreshAt = this.refreshTimeFor(token);
    this.scheduleRefresh(refreshAt);
    this.events.emit({
      type: "token_acquired", level: "debug", clientId: this.options.clientId, scope: token.scope ?? this.options.scopeSet,
      expiresInMs: token.expiresAt - token.issuedAt, refreshAt,
      message: `Token for client ${this.options.clientId} (scope '${token.scope ?? this.options.scopeSet}') acquired; ` +
        `expires in ${Math.round((token.expiresAt - token.issuedAt) / 1000)} s, refresh at ${new Date(refreshAt).toISOString()}.`,
    });
    return true;
  }

  // Instances sharing a cache hold the same token, so they would all refresh (and mint) at the same moment.
  // Each moves its refresh earlier by a random part of 10% of the lifetime (never before half-way to refreshAt):
  // the first to refresh mints, and the others find its token in the shared cache. Still >= 60 s before exp.
  private refreshTimeFor(token: GatehouseToken): number {
    if (!this.shared) return token.refreshAt;
    const spread = Math.min((token.expiresAt - token.issuedAt) / 10, (token.refreshAt - token.issuedAt) / 2);
    return token.refreshAt - spread * Math.random();
  }

  private scheduleRefresh(at: number): void {
    this.cancelRefresh();
    if (this.signal.aborted) return;
    this.nextRefreshAt = at;
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
    // unref: a token kept fresh must not keep the process alive on its own.
    this.refreshTimer = setTimeout(() => this.refreshInBackground(), delay).unref();
  }

  private cancelRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.nextRefreshAt = Infinity;
  }

  /** Callers keep getting the current token meanwhile; only a failure needs handling here. */
  private refreshInBackground(): void {
    if (this.signal.aborted || this.flight) return;
    this.joinFlight().then(
      () => this.events.emit({ type: "refresh", level: "debug", clientId: this.options.clientId, outcome: "success", message: "Background refresh succeeded." }),
      (error: unknown) => this.onRefreshFailed(error instanceof GatehouseTokenError ? error : new GatehouseTokenError("refresh_failed", String(error))),
    );
  }

  private onRefreshFailed(error: GatehouseTokenError): void {
    const clientId = this.options.clientId;
    this.events.emit({ type: "refresh", level: "debug", clientId, outcome: "failure", message: "Background refresh failed." });
    const current = this.slot.current;
    if (this.signal.aborted || !current) return;
    const remaining = current.usableUntil - Date.now();
    if (remaining <= 0) {
      // The token ran out while the server was unreachable. Nobody is served by polling it from here on:
      // the next caller asks (and gets the error) instead.
      this.slot.clear();
      this.cancelRefresh();
      this.events.emit({
        type: "background_refresh_stopped", level: "warn", clientId, error: error.error,
        message: `Background refresh for client ${clientId} stopped: the token expired while refreshes failed (${error.error}). The next call asks again.`,
      });
      return;
    }
    // Try again before the current token runs out: after Retry-After, else halfway to expiry (1 s to 30 s).
    const delay = Math.min(remaining, error.retryAfterMs ?? Math.min(Math.max(remaining / 2, 1_000), 30_000));
    this.events.emit({
      type: "background_refresh_failed", level: "warn", clientId, error: error.error, nextAttemptInMs: delay,
      message: `Background refresh for client ${clientId} failed (${error.error}); the current token stays in use, next try in ${Math.round(delay)} ms.`,
    });
    this.scheduleRefresh(Date.now() + delay);
  }
}
