import type { GatehouseToken } from "./gatehouse-token.js";

// An API that refuses even the token renewed for it moments ago (wrong audience, skewed clock, its own
// misconfiguration) would otherwise make every call mint a token; renew at most this often for it.
const RENEWAL_QUIET_MS = 30_000;

/** The current token, and what an API's `invalid_token` taught us about tokens. */
export class TokenSlot {
  private token: GatehouseToken | undefined;
  private rejected: string | undefined; // an API said invalid_token: never adopt it again from the shared cache
  private renewalForced = false;        // the current token was dropped as rejected: the next one adopted is its renewal
  private forcedRenewal: { accessToken: string; at: number } | undefined;

  get current(): GatehouseToken | undefined {
    return this.token;
  }

  /** False for a token an API has rejected since the shared cache handed it out. */
  adopt(token: GatehouseToken): boolean {
    if (token.accessToken === this.rejected) return false;
    this.token = token;
    this.forcedRenewal = this.renewalForced ? { accessToken: token.accessToken, at: Date.now() } : undefined;
    this.renewalForced = false;
    return true;
  }

  /** Marks the token as refused by an API; true when it was the current one, which is dropped. */
  reject(token: GatehouseToken): boolean {
    this.rejected = token.accessToken;
    if (this.token?.accessToken !== token.accessToken) return false;
    this.token = undefined;
    this.renewalForced = true;
    return true;
  }

  /** The token ran out while refreshes failed: the next caller asks for a new one. */
  clear(): void {
    this.token = undefined;
  }

  /** True when the token is the renewal an earlier `invalid_token` forced, less than 30 s ago. */
  isRecentForcedRenewal(token: GatehouseToken): boolean {
    return this.forcedRenewal?.accessToken === token.accessToken && Date.now() - this.forcedRenewal.at < RENEWAL_QUIET_MS;
  }
}
