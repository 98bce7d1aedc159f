import { createHash } from "node:crypto";
import type { ResolvedOptions } from "../options.js";

/**
 * Seed 002: tokens are keyed by client and scope set; we add the authority and audience, since a token for
 * one API or one server must never be handed to another. Hashed so the cache does not list client ids.
 */
export function tokenCacheKey(options: ResolvedOptions): string {
  const identity = [options.authority, options.clientId, options.scopeSet, options.audience ?? ""].join("\n");
  return "gatehouse:token:" + createHash("sha256").update(identity, "utf8").digest("hex");
}
