import type { SharedTokenCache } from "./cache/shared-token-cache.js";
import type { GatehouseEvent } from "./events.js";

/** Who the client is and which token it asks for. Every endpoint comes from the authority's discovery document. */
export interface GatehouseOptions {
  /**
   * The authorization server's issuer URL, e.g. `https://sso.example.com`. Its RFC 8414 metadata must
   * name this same issuer. Plain `http` is accepted only for loopback hosts (`localhost`, `127.0.0.1`, `::1`).
   */
  authority: string;
  /** The client identifier (`cc_client_…`). */
  clientId: string;
  /** The client secret. Sent only to the token endpoint; never logged, never in an event. */
  clientSecret: string;
  /** Scopes to request; empty asks for the client's full granted set. Order and duplicates do not matter. */
  scopes?: readonly string[];
  /** The target API (`audience` parameter), e.g. `partner/v1`; omitted lets the server choose its default. */
  audience?: string;
  /**
   * A cache shared by several instances (Redis, Memcached…). Tokens are stored sealed with AES-256-GCM,
   * so the cache never holds a usable token. Omitted keeps tokens in this process's memory only.
   */
  sharedCache?: SharedTokenCache;
  /**
   * Key material for sealing tokens in `sharedCache`. Defaults to the client secret; set it to keep entries
   * readable across a secret rotation, or to share them only with instances that hold this key.
   */
  cacheEncryptionKey?: string | Uint8Array;
  /** Called for each log-worthy event and metric (see README). Never carries a secret or a token. */
  onEvent?: (event: GatehouseEvent) => void;
  /** How long the discovery document is trusted, in ms (default one day). A failed token request refreshes it sooner. */
  discoveryRefreshIntervalMs?: number;
  /**
   * The longest `Retry-After` waited out on a caller's behalf, in ms (default 30 s), from the token endpoint or
   * an API. A longer one fails the call at once (token endpoint) or hands the response back (API).
   */
  maxRetryAfterMs?: number;
  /** Attempts per token request when the server answers 429, 503, another 5xx, or cannot be reached (default 3). */
  maxTokenRequestAttempts?: number;
  /** How many times `gh.fetch` repeats an API request answered 429 or 503 with a `Retry-After` (default 2). */
  maxApiBackoffRetries?: number;
  /** Timeout of one discovery or token request, in ms (default 30 s). */
  requestTimeoutMs?: number;
  /** The `fetch` to send every request with (default: the global one). For proxies, custom agents or recording. */
  fetch?: typeof globalThis.fetch;
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly authority: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Distinct, sorted, space-joined: what the cache key and the token request see. */
  readonly scopeSet: string;
  readonly audience: string | undefined;
  readonly sharedCache: SharedTokenCache | undefined;
  readonly cacheEncryptionKey: string | Uint8Array;
  readonly discoveryRefreshIntervalMs: number;
  readonly maxRetryAfterMs: number;
  readonly maxTokenRequestAttempts: number;
  readonly maxApiBackoffRetries: number;
  readonly requestTimeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function resolveOptions(options: GatehouseOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("Gatehouse options are required.");
  const authority = normalizeAuthority(options.authority);
  if (typeof options.clientId !== "string" || options.clientId.trim() === "")
    throw new TypeError("Gatehouse option clientId is required.");
  if (typeof options.clientSecret !== "string" || options.clientSecret === "")
    throw new TypeError("Gatehouse option clientSecret is required.");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new TypeError("No fetch available: Node 20 or later is required.");
  return {
    authority,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopeSet: scopeSet(options.scopes ?? []),
    audience: options.audience ? options.audience : undefined,
    sharedCache: options.sharedCache,
    cacheEncryptionKey: options.cacheEncryptionKey ?? options.clientSecret,
    discoveryRefreshIntervalMs: positive("discoveryRefreshIntervalMs", options.discoveryRefreshIntervalMs, DAY_MS),
    maxRetryAfterMs: atLeast("maxRetryAfterMs", options.maxRetryAfterMs, 30_000, 0),
    maxTokenRequestAttempts: atLeast("maxTokenRequestAttempts", options.maxTokenRequestAttempts, 3, 1),
    maxApiBackoffRetries: atLeast("maxApiBackoffRetries", options.maxApiBackoffRetries, 2, 0),
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 30_000),
    fetch: fetchImpl,
  };
}

function normalizeAuthority(value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value ?? "").trim());
  } catch {
    throw new TypeError("Gatehouse option authority must be an absolute http(s) URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new TypeError("Gatehouse option authority must be an absolute http(s) URL.");
  if (url.protocol === "http:" && !isLoopback(url.hostname))
    throw new TypeError("Gatehouse option authority must use https unless it is a loopback address.");
  return url.href.replace(/\/+$/, "");
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function scopeSet(scopes: readonly string[]): string {
  const distinct = new Set(scopes.map((s) => s.trim()).filter((s) => s !== ""));
  // Ordinal sort, as the .NET client does, so both produce the same cache key.
  return [...distinct].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(" ");
}

function positive(name: string, value: number | undefined, fallback: number): number {
  return atLeast(name, value, fallback, Number.MIN_VALUE);
}

function atLeast(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < min)
    throw new TypeError(`Gatehouse option ${name} must be a number of at least ${min === Number.MIN_VALUE ? "1" : min}.`);
  return value;
}
