<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Unit;

use Gatehouse\ClientOptions;
use PHPUnit\Framework\TestCase;

final class ClientOptionsTest extends TestCase
{
    private const REQUIRED = ['authority' => 'https://sso.example.com/', 'clientId' => 'cc_client_a', 'clientSecret' => 's'];

    /** @test */
    public function options_SeedSnakeCaseKeys_Accepted(): void
    {
        $options = new ClientOptions(['authority' => 'https://sso.example.com', 'client_id' => 'cc_client_a', 'client_secret' => 's']);

        self::assertSame('cc_client_a', $options->clientId);
        self::assertSame('s', $options->clientSecret);
    }

    /** @test */
    public function options_ScopesInAnyOrderWithDuplicates_OneSortedScopeSet(): void
    {
        $options = new ClientOptions(self::REQUIRED + ['scopes' => ['payments:write', 'decisions:read', ' payments:write', '']]);

        self::assertSame('decisions:read payments:write', $options->scopeSet);
        self::assertSame('https://sso.example.com', $options->authority);
    }

    /** @test */
    public function options_MisspelledKey_Rejected(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('scope');
        new ClientOptions(self::REQUIRED + ['scope' => ['decisions:read']]);
    }

    /** @test */
    public function options_MissingSecret_Rejected(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        new ClientOptions(['authority' => 'https://sso.example.com', 'clientId' => 'cc_client_a']);
    }
}
