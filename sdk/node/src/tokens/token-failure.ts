import { GatehouseTokenError } from "../errors.js";

/** A token request that did not produce a token, as a value: the caller decides whether to wait and retry. */
export interface TokenFailure {
  error: string;
  description: string | undefined;
  /** Undefined when the server never answered. */
  status: number | undefined;
  retryAfterMs: number | undefined;
}

/** Worth another try: the server was unreachable, busy (429, 503) or broken (5xx). Never invalid_client. */
export function isTransient(failure: TokenFailure): boolean {
  return failure.status === undefined || failure.status === 429 || failure.status >= 500;
}

export function toError(failure: TokenFailure): GatehouseTokenError {
  const { error, description, status, retryAfterMs } = failure;
  if (error === "invalid_client")
    return new GatehouseTokenError(
      error,
      `The authorization server rejected the client credentials (invalid_client: ${description ?? "no description"}). ` +
        "Check the client id and secret, and that sandbox and live are not mixed. The request is not retried.",
      { status, description },
    );
  return new GatehouseTokenError(
    error,
    `The token request failed: ${error}${description ? ` (${description})` : ""}${status === undefined ? "." : `, HTTP ${status}.`}`,
    { status, description, retryAfterMs },
  );
}
