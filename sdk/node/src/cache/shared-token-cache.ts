import type { EventSink } from "../events.js";
import type { GatehouseToken } from "../tokens/gatehouse-token.js";
import type { TokenProtector } from "./token-protector.js";

/**
 * A key-value store shared by every instance of the client (Redis, Memcached, a database…). Values are
 * opaque strings (sealed tokens, base64url); `ttlMs` is how long the entry is worth keeping.
 */
export interface SharedTokenCache {
  get(key: string): Promise<string | null | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The second tier over the application's store. Best effort: a cache outage costs a token request, never a failed call. */
export class SharedTier {
  constructor(
    private readonly cache: SharedTokenCache,
    private readonly key: string,
    private readonly protector: TokenProtector,
    private readonly events: EventSink,
  ) {}

  async get(): Promise<GatehouseToken | undefined> {
    let entry: string | null | undefined;
    try {
      entry = await this.cache.get(this.key);
    } catch (error) {
      this.failed("get", error);
      return undefined;
    }
    if (!entry) return undefined;
    const token = this.protector.unprotect(entry);
    if (!token)
      this.events.emit({
        type: "shared_cache_unreadable", level: "debug",
        message: "A cached token could not be decrypted (the client secret or key changed?); ignoring it.",
      });
    return token;
  }

  async set(token: GatehouseToken): Promise<void> {
    try {
      await this.cache.set(this.key, this.protector.protect(token), Math.max(1, token.expiresAt - Date.now()));
    } catch (error) {
      this.failed("set", error);
    }
  }

  /** Removes the entry only if it still holds the rejected token: another instance may already have replaced it. */
  async deleteIf(accessToken: string): Promise<void> {
    const current = await this.get();
    if (current?.accessToken !== accessToken) return;
    try {
      await this.cache.delete(this.key);
    } catch (error) {
      this.failed("delete", error);
    }
  }

  private failed(operation: "get" | "set" | "delete", error: unknown): void {
    this.events.emit({
      type: "shared_cache_failed", level: "warn", operation,
      reason: error instanceof Error ? error.name + ": " + error.message : String(error),
      message: `The shared token cache failed (${operation}); continuing with the in-memory token.`,
    });
  }
}
