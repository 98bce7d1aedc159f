<?php

declare(strict_types=1);

namespace Gatehouse\Cache;

use Gatehouse\Diagnostics\Log;
use Gatehouse\Discovery\ServerMetadata;
use Gatehouse\Token;

/**
 * What workers share through the application's cache: the token (encrypted), the lock that lets one worker
 * request it while the others wait, the discovery document, and the refusals every worker must respect.
 * Best effort: a cache outage costs a token request, never a failed call.
 *
 * Keys follow PSR-16 §1.2 (A-Z a-z 0-9 _ . and at most 64 characters). Seed 002 keys the token by client and
 * scope set; the authority and audience are in the key too, since a token for one API or one server must never
 * be handed to another. Hashed, so the cache does not list client ids.
 *
 * @internal
 */
final class SharedStore
{
    // Longer than a token request normally takes, so the lock outlives its holder only if that worker died.
    public const LOCK_SECONDS = 30;
    private const RENEWAL_QUIET_SECONDS = 30;

    private readonly string $tokenKey;
    private readonly string $lockKey;
    private readonly string $discoveryKey;
    private readonly string $refusedKey;
    private readonly string $renewedKey;
    private readonly string $notBeforeKey;
    private readonly TokenProtector $protector;
    private ?string $lockOwner = null;

    public function __construct(
        private readonly object $cache,
        string $authority,
        string $clientId,
        string $clientSecret,
        string $scopeSet,
        ?string $audience,
        private readonly Log $log,
    ) {
        foreach (['get', 'set', 'delete'] as $method) {
            if (!method_exists($cache, $method)) {
                throw new \InvalidArgumentException("The 'cache' option needs PSR-16's get(), set() and delete() methods; $method() is missing.");
            }
        }
        $identity = substr(hash('sha256', implode("\n", [$authority, $clientId, $scopeSet, $audience ?? ''])), 0, 40);
        $this->tokenKey = 'gatehouse.token.' . $identity;
        $this->lockKey = 'gatehouse.lock.' . $identity;
        $this->renewedKey = 'gatehouse.renewed.' . $identity;
        $this->notBeforeKey = 'gatehouse.wait.' . $identity;
        $this->discoveryKey = 'gatehouse.discovery.' . substr(hash('sha256', $authority), 0, 40);
        $this->protector = new TokenProtector($clientSecret, $this->tokenKey);
        // Tied to the secret: deploying a corrected secret is not held back by the old one's refusal.
        $this->refusedKey = 'gatehouse.refused.' . $this->protector->fingerprint('invalid_client');
    }

    public function token(): ?Token
    {
        $entry = $this->read($this->tokenKey);
        if ($entry === null) {
            return null;
        }
        $token = $this->protector->unprotect($entry);
        if ($token === null) {
            $this->log->cachedTokenUnreadable();
        }
        return $token;
    }

    public function storeToken(Token $token, float $now): void
    {
        $this->write($this->tokenKey, $this->protector->protect($token), max(1, (int) floor($token->expiresAt - $now)));
    }

    /** Removes the entry only if it still holds the rejected token: another worker may already have replaced it. */
    public function removeTokenIf(string $accessToken): void
    {
        if ($this->token()?->accessToken === $accessToken) {
            $this->remove($this->tokenKey);
        }
    }

    /** True when this worker now holds the lock; false when another one does. */
    public function tryLock(): bool
    {
        $owner = bin2hex(random_bytes(16));
        try {
            if (method_exists($this->cache, 'add')) {
                $won = (bool) $this->cache->add($this->lockKey, $owner, self::LOCK_SECONDS);
            } else {
                // A plain PSR-16 cache has no add-if-absent: check, write, read back. Two workers can still both
                // win in a narrow window (two token requests instead of one); give the client an add() to close it.
                $won = $this->cache->get($this->lockKey) === null
                    && $this->cache->set($this->lockKey, $owner, self::LOCK_SECONDS)
                    && $this->cache->get($this->lockKey) === $owner;
            }
        } catch (\Throwable $e) {
            $this->log->sharedCacheFailed($e);
            return true; // no cache to coordinate through: go ahead alone
        }
        if ($won) {
            $this->lockOwner = $owner;
        }
        return $won;
    }

    public function unlock(): void
    {
        if ($this->lockOwner !== null && $this->read($this->lockKey) === $this->lockOwner) {
            $this->remove($this->lockKey);
        }
        $this->lockOwner = null;
    }

    public function discovery(): ?ServerMetadata
    {
        $entry = $this->read($this->discoveryKey);
        $fields = is_string($entry) ? json_decode($entry, true) : null;
        if (!is_array($fields) || !is_string($fields['issuer'] ?? null) || !is_string($fields['token_endpoint'] ?? null)
            || !is_numeric($fields['refresh_at'] ?? null)) {
            return null;
        }
        return new ServerMetadata($fields['issuer'], $fields['token_endpoint'], (float) $fields['refresh_at']);
    }

    public function storeDiscovery(ServerMetadata $metadata, float $refreshInterval): void
    {
        $entry = json_encode(['issuer' => $metadata->issuer, 'token_endpoint' => $metadata->tokenEndpoint, 'refresh_at' => $metadata->refreshAt], JSON_UNESCAPED_SLASHES);
        $this->write($this->discoveryKey, $entry, max(1, (int) ceil($refreshInterval)));
    }

    public function forgetDiscovery(): void
    {
        $this->remove($this->discoveryKey);
    }

    /** The server's description of an invalid_client refusal another worker got with this secret, if recent. */
    public function refusal(): ?string
    {
        $entry = $this->read($this->refusedKey);
        return is_string($entry) ? $entry : null;
    }

    public function rememberRefusal(?string $description, int $seconds): void
    {
        $this->write($this->refusedKey, $description ?? '', $seconds);
    }

    /** When any worker may next ask the token endpoint, after a Retry-After. */
    public function notBefore(): float
    {
        $entry = $this->read($this->notBeforeKey);
        return is_numeric($entry) ? (float) $entry : 0.0;
    }

    public function rememberNotBefore(float $at, float $now): void
    {
        $this->write($this->notBeforeKey, (string) $at, max(1, (int) ceil($at - $now)));
    }

    /** Remembers that $accessToken was minted because an API refused its predecessor. */
    public function rememberForcedRenewal(string $accessToken): void
    {
        $this->write($this->renewedKey, hash('sha256', $accessToken), self::RENEWAL_QUIET_SECONDS);
    }

    public function isRecentForcedRenewal(string $accessToken): bool
    {
        return $this->read($this->renewedKey) === hash('sha256', $accessToken);
    }

    private function read(string $key): mixed
    {
        try {
            return $this->cache->get($key);
        } catch (\Throwable $e) {
            $this->log->sharedCacheFailed($e);
            return null;
        }
    }

    private function write(string $key, string $value, int $ttl): void
    {
        try {
            $this->cache->set($key, $value, $ttl);
        } catch (\Throwable $e) {
            $this->log->sharedCacheFailed($e);
        }
    }

    private function remove(string $key): void
    {
        try {
            $this->cache->delete($key);
        } catch (\Throwable $e) {
            $this->log->sharedCacheFailed($e);
        }
    }
}
