<?php

declare(strict_types=1);

namespace Gatehouse;

/**
 * An access token and when it stops being usable. Times are Unix seconds (with fractions) by the client's clock.
 * Converting it to a string never reveals the token.
 */
final class Token
{
    // Seed 002: refresh at ~90% of the lifetime, and at least 60 s before exp.
    private const REFRESH_LEAD = 60.0;
    // A token this close to exp could expire in flight; callers get a new one instead.
    private const EXPIRY_MARGIN = 5.0;

    public readonly float $refreshAt;
    public readonly float $usableUntil;

    public function __construct(
        public readonly string $accessToken,
        public readonly ?string $scope,
        public readonly float $issuedAt,
        public readonly float $expiresAt,
    ) {
        $this->refreshAt = self::refreshPoint($issuedAt, $expiresAt);
        $this->usableUntil = $expiresAt - min(self::EXPIRY_MARGIN, ($expiresAt - $issuedAt) / 10);
    }

    /**
     * The earlier of 90% of the lifetime and 60 s before exp; a lifetime too short for that (60 s or less)
     * refreshes at half-life, so a token is still used before it is replaced. Same rule as Gatehouse.Client.
     */
    public static function refreshPoint(float $issuedAt, float $expiresAt): float
    {
        $lifetime = $expiresAt - $issuedAt;
        $at = min($issuedAt + $lifetime * 0.9, $expiresAt - self::REFRESH_LEAD);
        return $at > $issuedAt ? $at : $issuedAt + $lifetime / 2;
    }

    public function __toString(): string
    {
        return sprintf('Gatehouse\Token(scope: %s, expires: %s)', $this->scope ?? '-', gmdate('c', (int) $this->expiresAt));
    }

    /** Keeps the token out of var_dump() and print_r() output. */
    public function __debugInfo(): array
    {
        return ['scope' => $this->scope, 'expiresAt' => $this->expiresAt, 'accessToken' => '(hidden)'];
    }
}
