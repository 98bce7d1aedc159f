import { GatehouseTokenError } from "../errors.js";
import type { EventSink } from "../events.js";
import { isLoopback, type ResolvedOptions } from "../options.js";

/** The parts of the RFC 8414 document the client uses. */
export interface AuthorizationServerMetadata {
  issuer: string;
  tokenEndpoint: string;
}

const WELL_KNOWN_PATHS = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"];
const RETRY_AFTER_FAILED_REFRESH_MS = 30_000;

/**
 * Seed 000: fetch the metadata when first needed, cache it, refresh it daily (by default) and whenever a
 * token request suggests it went stale. A failed refresh keeps the last good document. One fetch at a time.
 */
export class DiscoveryCache {
  private current: AuthorizationServerMetadata | undefined;
  private refreshAt = 0;
  private inFlight: Promise<AuthorizationServerMetadata> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly events: EventSink,
    private readonly signal: AbortSignal,
  ) {}

  get(): Promise<AuthorizationServerMetadata> {
    if (this.current && Date.now() < this.refreshAt) return Promise.resolve(this.current);
    return (this.inFlight ??= this.fetchMetadata().finally(() => (this.inFlight = undefined)));
  }

  /** The next get() fetches again (and falls back to the current document if that fails). */
  markStale(): void {
    this.refreshAt = 0;
  }

  private async fetchMetadata(): Promise<AuthorizationServerMetadata> {
    const authority = this.options.authority;
    const result = await this.tryFetch();
    if ("metadata" in result) {
      this.current = result.metadata;
      this.refreshAt = Date.now() + this.options.discoveryRefreshIntervalMs;
      this.events.emit({
        type: "discovery_fetched", level: "info", authority, tokenEndpoint: result.metadata.tokenEndpoint,
        message: `Discovery for ${authority}: token endpoint ${result.metadata.tokenEndpoint}.`,
      });
      return result.metadata;
    }
    const keptPrevious = this.current !== undefined;
    this.events.emit({
      type: "discovery_failed", level: "warn", authority, reason: result.failure, keptPrevious,
      message: `Discovery for ${authority} failed (${result.failure})${keptPrevious ? "; keeping the previous document" : ""}.`,
    });
    if (this.current) {
      this.refreshAt = Date.now() + RETRY_AFTER_FAILED_REFRESH_MS;
      return this.current;
    }
    throw new GatehouseTokenError("discovery_failed", `Could not read the discovery document of ${authority}: ${result.failure}.`);
  }

  private async tryFetch(): Promise<{ metadata: AuthorizationServerMetadata } | { failure: string }> {
    for (const path of WELL_KNOWN_PATHS) {
      let response: Response;
      try {
        response = await this.options.fetch(this.options.authority + path, {
          headers: { accept: "application/json" },
          redirect: "error",
          signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]),
        });
      } catch (error) {
        return { failure: describeFetchError(error) };
      }
      if (response.status === 404) {
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { failure: `GET ${path} answered ${response.status}` };
      }
      let document: unknown;
      try {
        document = await response.json();
      } catch {
        return { failure: "the document is not JSON" };
      }
      return this.parse(document);
    }
    return { failure: "no /.well-known/oauth-authorization-server or /.well-known/openid-configuration document" };
  }

  private parse(document: unknown): { metadata: AuthorizationServerMetadata } | { failure: string } {
    if (document === null || typeof document !== "object" || Array.isArray(document))
      return { failure: "the document is not a JSON object" };
    const { issuer, token_endpoint: tokenEndpoint } = document as Record<string, unknown>;
    // RFC 8414 §3.3: the issuer in the document must be the one we asked, or an attacker's metadata could be swapped in.
    const authority = this.options.authority;
    if (typeof issuer !== "string" || issuer.replace(/\/+$/, "") !== authority)
      return { failure: `the document names issuer '${String(issuer)}', not '${authority}'` };
    let endpoint: URL;
    try {
      endpoint = new URL(String(tokenEndpoint));
    } catch {
      return { failure: "the document has no absolute token_endpoint" };
    }
    if (endpoint.protocol !== "https:" && !(endpoint.protocol === "http:" && isLoopback(endpoint.hostname)))
      return { failure: "the token_endpoint is not https" };
    return { metadata: { issuer, tokenEndpoint: endpoint.href } };
  }
}

/** undici hides the reason (ECONNREFUSED, timeout) in `cause`. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message} (${(cause as { code?: string }).code ?? cause.message})`;
    return error.message;
  }
  return String(error);
}
