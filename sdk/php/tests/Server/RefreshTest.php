<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Cache\FileCache;
use Gatehouse\Tests\Support\FakeClock;
use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/**
 * Seed 002: refresh proactively so an in-flight request never races expiry. The server issues 65 s tokens:
 * 90% would be 58.5 s, but "at least 60 s before exp" wins, so the refresh is due 5 s in.
 */
final class RefreshTest extends TestCase
{
    /** @test */
    public function accessToken_BeforeRefreshPoint_ServedFromCacheWithoutRequest(): void
    {
        $server = Servers::shortLifetime();
        $clock = new FakeClock();
        $client = Servers::client($server, options: ['clock' => $clock]);
        $first = $client->auth()->token();
        self::assertEqualsWithDelta(65, $first->expiresAt - $clock->seconds(), 0.5);
        self::assertEqualsWithDelta(5, $first->refreshAt - $clock->seconds(), 0.5);
        $before = $server->tokenRequests();

        $clock->advance(4.5);
        $again = $client->auth()->token();

        self::assertSame($first->accessToken, $again->accessToken);
        self::assertSame(0, $server->tokenRequests() - $before);
    }

    /** @test */
    public function accessToken_PastRefreshPoint_NewTokenWhileTheOldOneIsStillValid(): void
    {
        $server = Servers::shortLifetime();
        $clock = new FakeClock();
        $client = Servers::client($server, options: ['clock' => $clock]);
        $first = $client->auth()->token();
        $before = $server->tokenRequests();

        $clock->advance(6);
        $refreshed = $client->auth()->token();

        self::assertLessThan($first->usableUntil, $clock->seconds(), 'the old token had ~59 s left');
        self::assertNotSame($first->accessToken, $refreshed->accessToken);
        self::assertGreaterThan($first->expiresAt, $refreshed->expiresAt);
        self::assertSame(1, $server->tokenRequests() - $before);
    }

    /** @test */
    public function accessToken_PastRefreshPointWhileAnotherWorkerRefreshes_KeepsTheValidTokenWithoutWaiting(): void
    {
        $server = Servers::shortLifetime();
        $clock = new FakeClock();
        $directory = TempDirectory::create('gatehouse-php-cache');
        $cache = new FileCache($directory);
        $client = Servers::client($server, options: ['clock' => $clock, 'cache' => $cache]);
        $first = $client->auth()->token();
        $lockKey = str_replace('gatehouse.token.', 'gatehouse.lock.', basename(glob("$directory/gatehouse.token.*")[0], '.cache'));
        self::assertTrue($cache->add($lockKey, 'another worker', 30));
        $before = $server->tokenRequests();

        $clock->advance(6);
        $started = microtime(true);
        $during = $client->auth()->token();

        self::assertLessThan(0.2, microtime(true) - $started);
        self::assertSame($first->accessToken, $during->accessToken);
        self::assertSame(0, $server->tokenRequests() - $before);

        $cache->delete($lockKey); // that worker gave up; the next call refreshes
        self::assertNotSame($first->accessToken, $client->auth()->accessToken());
        TempDirectory::remove($directory);
    }

    /** @test */
    public function accessToken_Expired_CallerGetsANewOne(): void
    {
        $server = Servers::shortLifetime();
        $clock = new FakeClock();
        $client = Servers::client($server, options: ['clock' => $clock]);
        $first = $client->auth()->token();

        $clock->advance(66);
        $next = $client->auth()->token();

        self::assertNotSame($first->accessToken, $next->accessToken);
        self::assertGreaterThan($clock->seconds(), $next->expiresAt);
    }

    /** @test */
    public function sharedCache_WorkerPastRefreshPoint_AdoptsTheTokenAnotherWorkerRefreshed(): void
    {
        $server = Servers::shortLifetime();
        $clock = new FakeClock();
        $directory = TempDirectory::create('gatehouse-php-cache');
        $a = Servers::client($server, options: ['clock' => $clock, 'cache' => new FileCache($directory)]);
        $b = Servers::client($server, options: ['clock' => $clock, 'cache' => new FileCache($directory)]);
        $first = $a->auth()->accessToken();
        self::assertSame($first, $b->auth()->accessToken());

        $clock->advance(6);
        $refreshed = $a->auth()->accessToken();
        $before = $server->tokenRequests();
        $adopted = $b->auth()->accessToken();

        self::assertNotSame($first, $refreshed);
        self::assertSame($refreshed, $adopted);
        self::assertSame(0, $server->tokenRequests() - $before);
        TempDirectory::remove($directory);
    }
}
