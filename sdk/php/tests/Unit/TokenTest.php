<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Unit;

use Gatehouse\Token;
use PHPUnit\Framework\TestCase;

/** Seed 002's refresh rule, resolved for short lifetimes as Gatehouse.Client does. */
final class TokenTest extends TestCase
{
    /** @return array<string, array{float, float}> lifetime => seconds until refresh */
    public static function lifetimes(): array
    {
        return [
            'one hour: 90% comes first' => [3600, 3240],
            '10 minutes: 90% comes first' => [600, 540],
            '65 s: 60 s before exp comes first' => [65, 5],
            '60 s: no room for 60 s before exp, half-life' => [60, 30],
            '10 s: half-life' => [10, 5],
        ];
    }

    /**
     * @test
     * @dataProvider lifetimes
     */
    public function refreshAt_Lifetime_EarlierOf90PercentAnd60SecondsBeforeExp(float $lifetime, float $refreshAfter): void
    {
        $token = new Token('t', null, 1000.0, 1000.0 + $lifetime);

        self::assertEqualsWithDelta(1000.0 + $refreshAfter, $token->refreshAt, 0.001);
        self::assertLessThan($token->expiresAt, $token->usableUntil);
        self::assertGreaterThan($token->refreshAt, $token->usableUntil);
    }
}
