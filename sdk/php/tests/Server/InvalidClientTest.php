<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Cache\FileCache;
use Gatehouse\InvalidClientException;
use Gatehouse\Tests\Support\ScriptedApi;
use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/** Seed 002: treat invalid_client as a hard failure — do not retry with the same credentials. */
final class InvalidClientTest extends TestCase
{
    /** @test */
    public function accessToken_WrongSecret_ThrowsInvalidClientAfterOneRequest(): void
    {
        $server = Servers::main();
        $secret = $server->client('partner')['client_secret'];
        $client = Servers::client($server, options: ['clientSecret' => $secret . 'x']);
        $before = $server->tokenRequests();

        try {
            $client->auth()->accessToken();
            self::fail('no exception');
        } catch (InvalidClientException $e) {
            self::assertTrue($e->isInvalidClient());
            self::assertSame('invalid_client', $e->error);
            self::assertSame(401, $e->status);
            self::assertStringContainsString('not retried', $e->getMessage());
            self::assertStringNotContainsString($secret, $e->getMessage());
        }
        self::assertSame(1, $server->tokenRequests() - $before);
    }

    /** @test */
    public function accessToken_AfterInvalidClient_FailsAgainWithoutAskingTheServer(): void
    {
        $server = Servers::main();
        $client = Servers::client($server, options: ['clientSecret' => 'cc_secret_live_wrong']);
        $before = $server->tokenRequests();
        try {
            $client->auth()->accessToken();
        } catch (InvalidClientException) {
        }

        $this->expectException(InvalidClientException::class);
        try {
            $client->auth()->accessToken();
        } finally {
            self::assertSame(1, $server->tokenRequests() - $before);
        }
    }

    /** @test */
    public function sharedCache_OneWorkerGotInvalidClient_OthersFailWithoutAskingTheServer(): void
    {
        $server = Servers::main();
        $directory = TempDirectory::create('gatehouse-php-cache');
        $workers = [];
        for ($i = 0; $i < 3; $i++) {
            $workers[] = Servers::client($server, options: ['clientSecret' => 'cc_secret_sandbox_wrong', 'cache' => new FileCache($directory)]);
        }
        $before = $server->tokenRequests();

        $failures = 0;
        foreach ($workers as $worker) {
            try {
                $worker->auth()->accessToken();
            } catch (InvalidClientException) {
                $failures++;
            }
        }

        self::assertSame(3, $failures);
        self::assertSame(1, $server->tokenRequests() - $before);
        // The right secret is not held back by the wrong one's refusal.
        self::assertStringStartsWith('ey', Servers::client($server, options: ['cache' => new FileCache($directory)])->auth()->accessToken());
        TempDirectory::remove($directory);
    }

    /** @test */
    public function send_UnknownClient_ThrowsAndTheApiIsNeverCalled(): void
    {
        $server = Servers::main();
        $api = ScriptedApi::get();
        $url = $api->url('ok');
        $client = Servers::client($server, options: ['clientId' => 'cc_client_doesnotexist']);
        $before = $server->tokenRequests();

        try {
            $client->send('GET', $url);
            self::fail('no exception');
        } catch (InvalidClientException) {
        }

        self::assertSame([], $api->requests($url));
        self::assertSame(1, $server->tokenRequests() - $before);
    }
}
