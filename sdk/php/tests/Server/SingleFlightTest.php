<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use Gatehouse\Tests\Support\Workers;
use PHPUnit\Framework\TestCase;

/** SPEC 10: workers sharing a cache cause one token request, through a lock in the cache. */
final class SingleFlightTest extends TestCase
{
    /** @test */
    public function eightWorkerProcesses_SharingAFileCache_ExactlyOneTokenRequest(): void
    {
        $server = Servers::main();
        $cache = TempDirectory::create('gatehouse-php-cache');
        $before = $server->tokenRequests();
        $issuedBefore = $server->tokensIssued();

        $tokens = Workers::run(8, $server, $cache);
        TempDirectory::remove($cache);

        self::assertCount(1, array_unique($tokens), implode("\n", $tokens));
        self::assertStringStartsWith('ey', $tokens[0]);
        self::assertSame(1, $server->tokenRequests() - $before);
        self::assertSame(1, $server->tokensIssued() - $issuedBefore);
    }

    /**
     * The control: the same eight processes with nothing shared each need a token of their own.
     *
     * @test
     */
    public function eightWorkerProcesses_WithoutSharedCache_EachRequestsItsOwn(): void
    {
        $server = Servers::main();
        $before = $server->tokenRequests();

        $tokens = Workers::run(8, $server, '');

        self::assertCount(8, array_unique($tokens));
        self::assertSame(8, $server->tokenRequests() - $before);
    }
}
