<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Cache\FileCache;
use Gatehouse\Tests\Support\Jwt;
use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/** Seed 002: cache and reuse tokens, keyed by client + scope set (+ audience); encrypted in a shared cache. */
final class TokenCacheTest extends TestCase
{
    private string $cacheDirectory;

    protected function setUp(): void
    {
        $this->cacheDirectory = TempDirectory::create('gatehouse-php-cache');
    }

    protected function tearDown(): void
    {
        TempDirectory::remove($this->cacheDirectory);
    }

    /** @test */
    public function accessToken_Twice_OneTokenRequest(): void
    {
        $server = Servers::main();
        $client = Servers::client($server, options: ['scopes' => ['decisions:read']]);
        $before = $server->tokenRequests();

        $first = $client->auth()->accessToken();
        $second = $client->auth()->accessToken();

        self::assertSame($first, $second);
        self::assertSame(1, $server->tokenRequests() - $before);
    }

    /** @test */
    public function accessToken_AnotherScopeSet_AnotherTokenWithThatScope(): void
    {
        $server = Servers::main();
        $reader = Servers::client($server, options: ['scopes' => ['decisions:read']]);
        $writer = Servers::client($server, options: ['scopes' => ['applications:write']]);

        $a = $reader->auth()->accessToken();
        $b = $writer->auth()->accessToken();

        self::assertNotSame($a, $b);
        self::assertSame('decisions:read', Jwt::payload($a)['scope']);
        self::assertSame('applications:write', Jwt::payload($b)['scope']);
    }

    /** @test */
    public function sharedCache_SecondWorkerSameScopesInAnotherOrder_ReusesTokenWithoutRequest(): void
    {
        $server = Servers::main();
        $first = Servers::client($server, options: ['scopes' => ['decisions:read', 'applications:read'], 'cache' => new FileCache($this->cacheDirectory)]);
        $second = Servers::client($server, options: ['scopes' => 'applications:read decisions:read decisions:read', 'cache' => new FileCache($this->cacheDirectory)]);
        $before = $server->tokenRequests();

        $minted = $first->auth()->accessToken();
        $reused = $second->auth()->accessToken();

        self::assertSame($minted, $reused);
        self::assertSame(1, $server->tokenRequests() - $before);
    }

    /** @test */
    public function sharedCache_AnotherAudience_AnotherTokenForThatAudience(): void
    {
        $server = Servers::main();
        $partner = Servers::client($server, options: ['scopes' => ['decisions:read'], 'audience' => 'partner/v1', 'cache' => new FileCache($this->cacheDirectory)]);
        $internal = Servers::client($server, options: ['scopes' => ['decisions:read'], 'audience' => 'internal/v1', 'cache' => new FileCache($this->cacheDirectory)]);

        $a = $partner->auth()->accessToken();
        $b = $internal->auth()->accessToken();

        self::assertSame('partner/v1', Jwt::payload($a)['aud']);
        self::assertSame('internal/v1', Jwt::payload($b)['aud']);
    }

    /** @test */
    public function sharedCache_Entry_IsEncryptedNotTheToken(): void
    {
        $server = Servers::main();
        $clientId = $server->client('partner')['client_id'];
        $client = Servers::client($server, options: ['scopes' => ['decisions:read'], 'cache' => new FileCache($this->cacheDirectory)]);

        $token = $client->auth()->accessToken();

        $files = glob($this->cacheDirectory . '/gatehouse.token.*');
        self::assertCount(1, $files);
        $stored = file_get_contents($files[0]);
        self::assertStringNotContainsString(explode('.', $token)[1], $stored);
        self::assertStringNotContainsString(substr(explode('.', $token)[1], 10, 20), base64_decode(self::entryValue($stored)));
        self::assertStringNotContainsString($clientId, $stored);
        self::assertStringNotContainsString($clientId, $files[0]);
        self::assertSame("\x01", base64_decode(self::entryValue($stored))[0]); // format version, then nonce, tag, AES-GCM ciphertext
    }

    /** @test */
    public function sharedCache_EntryTamperedWith_IgnoredAndANewTokenRequested(): void
    {
        $server = Servers::main();
        $writer = Servers::client($server, options: ['scopes' => ['decisions:read'], 'cache' => new FileCache($this->cacheDirectory)]);
        $original = $writer->auth()->accessToken();
        $cache = new FileCache($this->cacheDirectory);
        $key = basename(glob($this->cacheDirectory . '/gatehouse.token.*')[0], '.cache');
        $sealed = base64_decode($cache->get($key));
        $sealed[strlen($sealed) - 1] = chr(ord($sealed[strlen($sealed) - 1]) ^ 0xFF);
        $cache->set($key, base64_encode($sealed), 60);
        $reader = Servers::client($server, options: ['scopes' => ['decisions:read'], 'cache' => new FileCache($this->cacheDirectory)]);
        $before = $server->tokenRequests();

        $token = $reader->auth()->accessToken();

        self::assertNotSame($original, $token);
        self::assertSame(1, $server->tokenRequests() - $before);
    }

    private static function entryValue(string $fileContent): string
    {
        return unserialize($fileContent)['value'];
    }
}
