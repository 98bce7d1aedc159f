import { inspect } from "node:util";

const REFRESH_LEAD_MS = 60_000;
const EXPIRY_MARGIN_MS = 5_000;

/**
 * An access token and when it stops being usable. Times are epoch milliseconds by this machine's clock.
 * `toString()`, `JSON.stringify()` and `util.inspect()` never reveal the token itself.
 */
export class GatehouseToken {
  /** The bearer token to send in `Authorization: Bearer …`. */
  declare readonly accessToken: string;
  /** The scopes the server granted, space-separated, when it said. */
  readonly scope: string | undefined;
  /** When the token was received. */
  readonly issuedAt: number;
  /** When it expires (`expires_in` from the moment it was received). */
  readonly expiresAt: number;
  /**
   * When the client replaces it in the background. Seed 002: at 90% of the lifetime, and at least 60 s
   * before exp; a lifetime too short for both refreshes at half-life, so a token is still used.
   */
  readonly refreshAt: number;
  /** Past this a token could expire in flight: callers wait for a new one instead. */
  readonly usableUntil: number;

  constructor(accessToken: string, scope: string | undefined, issuedAt: number, expiresAt: number) {
    // Not enumerable: spreading or logging the object does not copy the token along.
    Object.defineProperty(this, "accessToken", { value: accessToken, enumerable: false });
    this.scope = scope;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
    this.refreshAt = refreshPoint(issuedAt, expiresAt);
    this.usableUntil = expiresAt - Math.min(EXPIRY_MARGIN_MS, (expiresAt - issuedAt) / 10);
  }

  /** A description without the token value, safe to log. */
  toString(): string {
    return `GatehouseToken(scope: ${this.scope ?? "-"}, expires: ${new Date(this.expiresAt).toISOString()})`;
  }

  toJSON(): Record<string, unknown> {
    return { scope: this.scope, expiresAt: new Date(this.expiresAt).toISOString() };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The same rule as Gatehouse.Client: min(90% of the lifetime, exp − 60 s), or half-life when that is not after issue. */
export function refreshPoint(issuedAt: number, expiresAt: number): number {
  const lifetime = expiresAt - issuedAt;
  const at = Math.min(issuedAt + lifetime * 0.9, expiresAt - REFRESH_LEAD_MS);
  return at > issuedAt ? at : issuedAt + lifetime / 2;
}
