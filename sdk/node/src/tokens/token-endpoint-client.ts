import { describeFetchError } from "../discovery/discovery-cache.js";
import type { EventSink } from "../events.js";
import { basicCredentials } from "../http/client-credentials.js";
import { retryAfterMs } from "../http/retry-after.js";
import type { ResolvedOptions } from "../options.js";
import { GatehouseToken } from "./gatehouse-token.js";
import type { TokenFailure } from "./token-failure.js";

export type TokenResult = { token: GatehouseToken; failure?: undefined } | { token?: undefined; failure: TokenFailure };

// RFC 6749 §5.1 makes expires_in optional; Gatehouse always sends it, and its default is one hour.
const DEFAULT_LIFETIME_MS = 60 * 60 * 1000;

/** One client_credentials request (RFC 6749 §4.4) to the discovered token endpoint, answered as a token or a failure. */
export class TokenEndpointClient {
  private readonly credentials: string;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly events: EventSink,
    private readonly signal: AbortSignal,
  ) {
    this.credentials = basicCredentials(options.clientId, options.clientSecret);
  }

  async request(tokenEndpoint: string): Promise<TokenResult> {
    const started = performance.now();
    const result = await this.send(tokenEndpoint);
    const outcome = result.failure?.error ?? "success";
    this.events.emit({
      type: "token_request", level: "debug", clientId: this.options.clientId, outcome,
      status: result.failure ? result.failure.status : 200, durationMs: performance.now() - started,
      message: `Token request for client ${this.options.clientId}: ${outcome}.`,
    });
    return result;
  }

  private form(): URLSearchParams {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.options.scopeSet) form.set("scope", this.options.scopeSet);
    if (this.options.audience) form.set("audience", this.options.audience);
    return form;
  }

  private async send(tokenEndpoint: string): Promise<TokenResult> {
    let response: Response;
    let body: string;
    try {
      response = await this.options.fetch(tokenEndpoint, {
        method: "POST",
        headers: { authorization: this.credentials, accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: this.form(),
        redirect: "error",
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]),
      });
      body = await response.text();
    } catch (error) {
      if (this.signal.aborted) return failure("closed", "The client was closed.", undefined, undefined);
      return failure("server_unreachable", describeFetchError(error), undefined, undefined);
    }
    const receivedAt = Date.now();
    return response.ok ? parseToken(body, receivedAt, response.status) : { failure: parseError(body, response, receivedAt) };
  }
}

function parseToken(body: string, receivedAt: number, status: number): TokenResult {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return failure("invalid_response", "The token response is not JSON.", status, undefined);
  }
  const accessToken = stringField(root, "access_token");
  const tokenType = stringField(root, "token_type");
  if (!accessToken || tokenType?.toLowerCase() !== "bearer")
    return failure("invalid_response", "The token response has no Bearer access_token.", status, undefined);
  const expiresIn = (root as Record<string, unknown>)["expires_in"];
  const lifetimeMs = typeof expiresIn === "number" && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
  return { token: new GatehouseToken(accessToken, stringField(root, "scope"), receivedAt, receivedAt + lifetimeMs) };
}

function parseError(body: string, response: Response, now: number): TokenFailure {
  let error: string | undefined;
  let description: string | undefined;
  try {
    const root: unknown = JSON.parse(body);
    error = stringField(root, "error");
    description = stringField(root, "error_description");
  } catch {
    // A proxy's HTML error page: the status code is all we have.
  }
  error ??= response.status === 429 ? "rate_limited"
    : response.status === 503 ? "temporarily_unavailable"
    : response.status === 401 ? "invalid_client"
    : `http_${response.status}`;
  return { error, description, status: response.status, retryAfterMs: retryAfterMs(response.headers, now) };
}

function failure(error: string, description: string | undefined, status: number | undefined, retryAfter: number | undefined): TokenResult {
  return { failure: { error, description, status, retryAfterMs: retryAfter } };
}

function stringField(root: unknown, name: string): string | undefined {
  if (root === null || typeof root !== "object") return undefined;
  const value = (root as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
