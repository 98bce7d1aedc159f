<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Tests\Support\FakeClock;
use Gatehouse\Tests\Support\MiniPsr18Client;
use Gatehouse\Tests\Support\MiniRequest;
use Gatehouse\Tests\Support\MiniStream;
use Gatehouse\Tests\Support\ScriptedApi;
use Gatehouse\Tests\Support\Servers;
use PHPUnit\Framework\TestCase;

// MiniRequest and friends share one file.
require_once __DIR__ . '/../Support/MiniPsr7.php';

/** Seed 002: on a 401 invalid_token, refresh once and retry the original request a single time. */
final class InvalidTokenRetryTest extends TestCase
{
    /** @test */
    public function send_401InvalidToken_DropsTokenMintsNewAndRetriesOnce(): void
    {
        $server = Servers::main();
        $api = ScriptedApi::get();
        $url = $api->url('invalid-once');
        $client = Servers::client($server, options: ['scopes' => ['decisions:read']]);
        $before = $server->tokenRequests();

        $response = $client->send('GET', $url);

        self::assertSame(200, $response->status);
        self::assertSame('approved', $response->json()['decision']);
        $tokens = array_column($api->requests($url), 'authorization');
        self::assertCount(2, $tokens);
        self::assertNotSame($tokens[0], $tokens[1]);
        self::assertSame(2, $server->tokenRequests() - $before);
        self::assertSame($tokens[1], 'Bearer ' . $client->auth()->accessToken());
    }

    /** @test */
    public function send_401InvalidTokenAgain_ReturnsTheSecond401WithoutAThirdAttempt(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('invalid-always');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']]);

        $response = $client->send('GET', $url);

        self::assertSame(401, $response->status);
        self::assertCount(2, $api->requests($url));
    }

    /** @test */
    public function send_401InvalidTokenEvenForFreshTokens_RenewsAtMostOncePer30Seconds(): void
    {
        $server = Servers::main();
        $api = ScriptedApi::get();
        $url = $api->url('invalid-always');
        $clock = new FakeClock();
        $client = Servers::client($server, options: ['scopes' => ['decisions:read'], 'clock' => $clock]);
        $before = $server->tokenRequests();

        for ($call = 0; $call < 3; $call++) {
            self::assertSame(401, $client->send('GET', $url)->status);
        }

        self::assertSame(2, $server->tokenRequests() - $before); // the first token and one renewal, not one per call
        self::assertCount(4, $api->requests($url));               // 2 (with the retry), then 1 and 1

        $clock->advance(31);
        self::assertSame(401, $client->send('GET', $url)->status);
        self::assertSame(3, $server->tokenRequests() - $before);
    }

    /** @test */
    public function send_401InvalidTokenOnPost_ReplaysTheSameBody(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('invalid-once');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['applications:write']]);
        $body = json_encode(['company_number' => '09876543', 'amount_minor' => 2_500_000]);

        $response = $client->send('POST', $url, ['Content-Type' => 'application/json'], $body);

        self::assertSame(200, $response->status);
        self::assertSame([$body, $body], array_column($api->requests($url), 'body'));
    }

    /** @test */
    public function send_401WithoutInvalidTokenError_NotRetried(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('401-without-error');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']]);

        $response = $client->send('GET', $url);

        self::assertSame(401, $response->status);
        self::assertCount(1, $api->requests($url));
    }

    /** @test */
    public function httpClient_Psr18Request401InvalidToken_RetriedOnceWithANewTokenAndTheSameBody(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('invalid-once');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['applications:write']]);
        $http = $client->httpClient(new MiniPsr18Client());

        $response = $http->sendRequest(new MiniRequest('POST', $url, ['Content-Type' => 'application/json'], new MiniStream('{"a":1}')));

        self::assertSame(200, $response->getStatusCode());
        $requests = $api->requests($url);
        self::assertCount(2, $requests);
        self::assertNotSame($requests[0]['authorization'], $requests[1]['authorization']);
        self::assertSame(['{"a":1}', '{"a":1}'], array_column($requests, 'body'));
    }

    /** @test */
    public function httpClient_Psr18UnseekableBody401InvalidToken_NotReplayedButTokenDropped(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('invalid-once');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['applications:write']]);
        $first = $client->auth()->accessToken();
        $http = $client->httpClient(new MiniPsr18Client());

        $response = $http->sendRequest(new MiniRequest('POST', $url, [], new MiniStream('{"a":1}', seekable: false)));

        self::assertSame(401, $response->getStatusCode());
        self::assertCount(1, $api->requests($url));
        self::assertNotSame($first, $client->auth()->accessToken());
    }
}
