<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Cache\FileCache;
use Gatehouse\Client;
use Gatehouse\TokenException;
use Gatehouse\Tests\Support\FakeClock;
use Gatehouse\Tests\Support\GatehouseServer;
use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/** SPEC 10: configured from /.well-known/oauth-authorization-server, cached, refreshed daily. */
final class DiscoveryTest extends TestCase
{
    /** @test */
    public function accessToken_SeveralTokens_DiscoveryReadOnce(): void
    {
        $server = Servers::main();
        $client = Servers::client($server, options: ['scopes' => ['decisions:read'], 'clock' => $clock = new FakeClock()]);
        $before = $server->discoveryFetches();

        $client->auth()->accessToken();
        $clock->advance(3600); // expired: a second token, same document
        $client->auth()->accessToken();

        self::assertSame(1, $server->discoveryFetches() - $before);
    }

    /** @test */
    public function sharedCache_SecondWorker_UsesTheDocumentTheFirstRead(): void
    {
        $server = Servers::main();
        $directory = TempDirectory::create('gatehouse-php-cache');
        $before = $server->discoveryFetches();

        Servers::client($server, options: ['scopes' => ['decisions:read'], 'cache' => new FileCache($directory)])->auth()->accessToken();
        Servers::client($server, options: ['scopes' => ['applications:read'], 'cache' => new FileCache($directory)])->auth()->accessToken();

        self::assertSame(1, $server->discoveryFetches() - $before);
        TempDirectory::remove($directory);
    }

    /** @test */
    public function accessToken_AfterADay_DiscoveryReadAgain(): void
    {
        $server = Servers::main();
        $clock = new FakeClock();
        $client = Servers::client($server, options: ['scopes' => ['decisions:read'], 'clock' => $clock]);
        $client->auth()->accessToken();
        $before = $server->discoveryFetches();

        $clock->advance(86400 + 1);
        $client->auth()->accessToken();

        self::assertSame(1, $server->discoveryFetches() - $before);
    }

    /** @test */
    public function accessToken_DocumentNamesAnotherIssuer_DiscoveryFailed(): void
    {
        $server = Servers::main();
        // Same server, but "localhost" is not the issuer it names (RFC 8414 §3.3).
        $client = Servers::client($server, options: ['authority' => str_replace('127.0.0.1', 'localhost', $server->issuer)]);

        $this->expectException(TokenException::class);
        $this->expectExceptionMessageMatches("/discovery document .*issuer 'http:\\/\\/127\\.0\\.0\\.1/");
        $client->auth()->accessToken();
    }

    /** @test */
    public function accessToken_AuthorityUnreachable_DiscoveryFailedError(): void
    {
        $client = new Client(['authority' => 'http://127.0.0.1:' . GatehouseServer::freeLoopbackPort(), 'clientId' => 'cc_client_x', 'clientSecret' => 's']);

        try {
            $client->auth()->accessToken();
            self::fail('no exception');
        } catch (TokenException $e) {
            self::assertSame('discovery_failed', $e->error);
        }
    }

    /** @test */
    public function constructor_PlainHttpToAnotherHost_Rejected(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        new Client(['authority' => 'http://sso.example.com', 'clientId' => 'cc_client_x', 'clientSecret' => 's']);
    }
}
