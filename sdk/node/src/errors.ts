/**
 * No token could be obtained. `error` is the OAuth error code from the server (`invalid_client`,
 * `invalid_scope`, `rate_limited`…) or one of the client's own: `discovery_failed`, `server_unreachable`,
 * `invalid_response`, `closed`. The message never holds the secret or a token.
 */
export class GatehouseTokenError extends Error {
  override readonly name = "GatehouseTokenError";
  /** The OAuth error code, or the client's own code when the server never answered. */
  readonly error: string;
  /** The server's `error_description`, if any. */
  readonly description: string | undefined;
  /** The token endpoint's HTTP status, when it answered. */
  readonly status: number | undefined;
  /** How long the server asked the client to wait (429/503), in ms, when that was longer than allowed. */
  readonly retryAfterMs: number | undefined;

  constructor(error: string, message: string, details: { status?: number | undefined; description?: string | undefined; retryAfterMs?: number | undefined; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.error = error;
    this.status = details.status;
    this.description = details.description;
    this.retryAfterMs = details.retryAfterMs;
  }

  /**
   * True for `invalid_client`: the credentials are wrong (or from the other environment) and retrying
   * with them cannot succeed. The client does not ask again for five minutes.
   */
  get isInvalidClient(): boolean {
    return this.error === "invalid_client";
  }
}
