import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { GatehouseToken } from "../tokens/gatehouse-token.js";

const VERSION = 1;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const SALT = Buffer.from("Gatehouse.Client token cache v1", "utf8");

/**
 * Seals a token for a shared cache with AES-256-GCM, in the same format as Gatehouse.Client: version byte,
 * nonce, tag, ciphertext. The key is derived (HKDF-SHA-256, RFC 5869) from the client secret (or the given
 * key) and the cache key: every instance of the same client can read it, nobody with only the cache can,
 * and an entry cannot be moved to another key. A rotated secret makes old entries unreadable: a harmless miss.
 */
export class TokenProtector {
  private readonly key: Buffer;
  private readonly associatedData: Buffer;

  constructor(keyMaterial: string | Uint8Array, cacheKey: string) {
    this.associatedData = Buffer.from(cacheKey, "utf8");
    const ikm = typeof keyMaterial === "string" ? Buffer.from(keyMaterial, "utf8") : keyMaterial;
    this.key = Buffer.from(hkdfSync("sha256", ikm, SALT, this.associatedData, 32));
  }

  protect(token: GatehouseToken): string {
    const plaintext = Buffer.from(JSON.stringify({
      access_token: token.accessToken,
      scope: token.scope,
      issued_at: token.issuedAt,
      expires_at: token.expiresAt,
    }), "utf8");
    const nonce = randomBytes(NONCE_SIZE);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(this.associatedData);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    return Buffer.concat([Buffer.of(VERSION), nonce, cipher.getAuthTag(), ciphertext]).toString("base64url");
  }

  /** Undefined when the entry is not ours to read: another version, another key, or tampered with. */
  unprotect(entry: string): GatehouseToken | undefined {
    const sealed = Buffer.from(entry, "base64url");
    if (sealed.length < 1 + NONCE_SIZE + TAG_SIZE || sealed[0] !== VERSION) return undefined;
    let plaintext: Buffer | undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, sealed.subarray(1, 1 + NONCE_SIZE), { authTagLength: TAG_SIZE });
      decipher.setAAD(this.associatedData);
      decipher.setAuthTag(sealed.subarray(1 + NONCE_SIZE, 1 + NONCE_SIZE + TAG_SIZE));
      plaintext = Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_SIZE + TAG_SIZE)), decipher.final()]);
      const root = JSON.parse(plaintext.toString("utf8")) as Record<string, unknown>;
      const { access_token: accessToken, scope, issued_at: issuedAt, expires_at: expiresAt } = root;
      if (typeof accessToken !== "string" || typeof issuedAt !== "number" || typeof expiresAt !== "number") return undefined;
      return new GatehouseToken(accessToken, typeof scope === "string" ? scope : undefined, issuedAt, expiresAt);
    } catch {
      return undefined; // authentication failed, or not our JSON
    } finally {
      plaintext?.fill(0);
    }
  }
}
