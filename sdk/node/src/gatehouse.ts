import { GatehouseAuth } from "./auth.js";
import { SharedTier } from "./cache/shared-token-cache.js";
import { tokenCacheKey } from "./cache/token-cache-key.js";
import { TokenProtector } from "./cache/token-protector.js";
import { DiscoveryCache } from "./discovery/discovery-cache.js";
import { EventSink } from "./events.js";
import { authorizedFetch } from "./http/authorized-fetch.js";
import { resolveOptions, type GatehouseOptions, type ResolvedOptions } from "./options.js";
import { TokenEndpointClient } from "./tokens/token-endpoint-client.js";
import { TokenRequester } from "./tokens/token-requester.js";

/**
 * A Gatehouse client-credentials client. Create one per client, scope set and audience, and keep it for
 * the life of the application: its token cache and single flight live in the instance.
 *
 * ```ts
 * const gh = new Gatehouse({ authority, clientId, clientSecret, scopes: ["decisions:read"] });
 * const token = await gh.auth.accessToken();
 * const response = await gh.fetch("https://api.example.com/partner/v1/decisions/dec_1");
 * ```
 */
export class Gatehouse {
  /** Tokens: `accessToken()`, `token()`, `invalidate(token)`. */
  readonly auth: GatehouseAuth;
  private readonly options: ResolvedOptions;
  private readonly events: EventSink;
  private readonly closed = new AbortController();

  constructor(options: GatehouseOptions) {
    this.options = resolveOptions(options);
    this.events = new EventSink(options.onEvent);
    const signal = this.closed.signal;
    const discovery = new DiscoveryCache(this.options, this.events, signal);
    const requester = new TokenRequester(this.options, discovery, new TokenEndpointClient(this.options, this.events, signal), this.events, signal);
    let shared: SharedTier | undefined;
    if (this.options.sharedCache) {
      const key = tokenCacheKey(this.options);
      shared = new SharedTier(this.options.sharedCache, key, new TokenProtector(this.options.cacheEncryptionKey, key), this.events);
    }
    this.auth = new GatehouseAuth(this.options, requester, shared, this.events, signal);
  }

  /**
   * `fetch` with `Authorization: Bearer …` added. On `401` with `WWW-Authenticate: Bearer error="invalid_token"`
   * it gets a new token and sends the request once more, when the body can be replayed (none, a string,
   * bytes, `URLSearchParams`, `FormData`, a `Blob`, or a `Request`); a streamed body gets the 401 back.
   * A `429`/`503` with `Retry-After` is waited out and repeated (see `maxApiBackoffRetries`).
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    return authorizedFetch(this.auth, this.options, this.events, input, init);
  }

  /** Stops background refresh and aborts requests in progress. */
  close(): void {
    this.closed.abort();
    this.auth.close();
  }
}
