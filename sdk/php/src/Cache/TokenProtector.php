<?php

declare(strict_types=1);

namespace Gatehouse\Cache;

use Gatehouse\Token;

/**
 * Seals a token for a shared cache with AES-256-GCM, as Gatehouse.Client does. The key is derived (HKDF-SHA-256,
 * RFC 5869) from the client secret and the cache key: every worker of the same client can read it, nobody with
 * only the cache can, and an entry cannot be moved to another key. A rotated secret makes old entries
 * unreadable, which is a harmless miss. Layout: version (1) | nonce (12) | tag (16) | ciphertext.
 *
 * @internal
 */
final class TokenProtector
{
    private const VERSION = "\x01";
    private const NONCE_SIZE = 12;
    private const TAG_SIZE = 16;
    private const SALT = 'Gatehouse.Client token cache v1';

    private readonly string $key;

    public function __construct(string $clientSecret, private readonly string $cacheKey)
    {
        if (!function_exists('openssl_encrypt')) {
            throw new \LogicException('A shared token cache needs ext-openssl to encrypt the tokens it holds.');
        }
        $this->key = hash_hkdf('sha256', $clientSecret, 32, $cacheKey, self::SALT);
    }

    /** A name derived from the secret, for cache keys that must change when the secret does. */
    public function fingerprint(string $purpose): string
    {
        return substr(hash_hmac('sha256', $purpose, $this->key), 0, 40);
    }

    public function protect(Token $token): string
    {
        $plaintext = json_encode([
            'access_token' => $token->accessToken,
            'scope' => $token->scope,
            'issued_at' => (int) round($token->issuedAt * 1000),
            'expires_at' => (int) round($token->expiresAt * 1000),
        ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        $nonce = random_bytes(self::NONCE_SIZE);
        $tag = '';
        $ciphertext = openssl_encrypt($plaintext, 'aes-256-gcm', $this->key, OPENSSL_RAW_DATA, $nonce, $tag, $this->cacheKey, self::TAG_SIZE);
        if ($ciphertext === false) {
            throw new \RuntimeException('AES-256-GCM encryption failed.');
        }
        return base64_encode(self::VERSION . $nonce . $tag . $ciphertext);
    }

    /** Null when the entry is not ours to read: another version, another secret, or tampered with. */
    public function unprotect(mixed $entry): ?Token
    {
        $sealed = is_string($entry) ? base64_decode($entry, true) : false;
        if ($sealed === false || strlen($sealed) < 1 + self::NONCE_SIZE + self::TAG_SIZE || $sealed[0] !== self::VERSION) {
            return null;
        }
        $plaintext = openssl_decrypt(
            substr($sealed, 1 + self::NONCE_SIZE + self::TAG_SIZE),
            'aes-256-gcm',
            $this->key,
            OPENSSL_RAW_DATA,
            substr($sealed, 1, self::NONCE_SIZE),
            substr($sealed, 1 + self::NONCE_SIZE, self::TAG_SIZE),
            $this->cacheKey,
        );
        $fields = $plaintext === false ? null : json_decode($plaintext, true);
        if (!is_array($fields) || !is_string($fields['access_token'] ?? null)
            || !is_int($fields['issued_at'] ?? null) || !is_int($fields['expires_at'] ?? null)) {
            return null;
        }
        return new Token($fields['access_token'], $fields['scope'] ?? null, $fields['issued_at'] / 1000, $fields['expires_at'] / 1000);
    }
}
