<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Unit;

use Gatehouse\Http\BearerChallenge;
use PHPUnit\Framework\TestCase;

/** RFC 6750 §3: only a Bearer challenge with error="invalid_token" on a 401 asks for a new token. */
final class BearerChallengeTest extends TestCase
{
    public static function challenges(): array
    {
        return [
            'invalid_token' => [401, 'Bearer error="invalid_token"', true],
            'with other params' => [401, 'Bearer realm="api", error="invalid_token", error_description="expired, sorry"', true],
            'unquoted' => [401, 'Bearer error=invalid_token', true],
            'after a Basic challenge' => [401, 'Basic realm="x", Bearer error="invalid_token"', true],
            'Basic with that error' => [401, 'Basic realm="x", error="invalid_token"', false],
            'insufficient_scope' => [401, 'Bearer error="insufficient_scope", scope="decisions:read"', false],
            'no error' => [401, 'Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"', false],
            'no header' => [401, null, false],
            'not a 401' => [403, 'Bearer error="invalid_token"', false],
        ];
    }

    /**
     * @test
     * @dataProvider challenges
     */
    public function isInvalidToken_Challenge_AsRfc6750Says(int $status, ?string $header, bool $expected): void
    {
        self::assertSame($expected, BearerChallenge::isInvalidToken($status, $header));
    }
}
