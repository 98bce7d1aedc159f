<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\TokenException;
use Gatehouse\Tests\Support\FakeClock;
use Gatehouse\Tests\Support\LogRecorder;
use Gatehouse\Tests\Support\ScriptedApi;
use Gatehouse\Tests\Support\Servers;
use PHPUnit\Framework\TestCase;

/** SPEC 10: 429/503 back off honouring Retry-After — from the token endpoint and from APIs. */
final class RetryAfterTest extends TestCase
{
    /**
     * The throttled client allows one token a second, shared by every test here: start each in a window of its
     * own (a second, plus the server limiter's replenishment tick and some slack).
     */
    private static function freshWindow(): void
    {
        usleep(1_300_000);
    }

    /** @test */
    public function tokenEndpoint_429WithRetryAfter_WaitsThatLongThenSucceeds(): void
    {
        $server = Servers::main();
        self::freshWindow();
        $log = new LogRecorder();
        $decisions = Servers::client($server, 'throttled', ['scopes' => ['decisions:read']]);
        $applications = Servers::client($server, 'throttled', ['scopes' => ['applications:read'], 'logger' => $log]);
        $before = $server->tokenRequests();
        $throttledBefore = $server->tokenRequestsAnswered(429);
        $decisions->auth()->accessToken();

        $started = microtime(true);
        $token = $applications->auth()->token(); // same client, same second: the server says 429
        $waited = microtime(true) - $started;

        self::assertSame('applications:read', $token->scope);
        self::assertSame(3, $server->tokenRequests() - $before);           // 200, 429, 200
        self::assertSame(1, $server->tokenRequestsAnswered(429) - $throttledBefore);
        $backoff = array_values(array_filter($log->records, static fn ($r) => str_contains($r['message'], 'retrying in')));
        self::assertCount(1, $backoff, $log->text());
        self::assertSame('rate_limited', $backoff[0]['context']['error']);
        self::assertGreaterThanOrEqual($backoff[0]['context']['delay'] - 0.05, $waited);
        self::assertGreaterThan(0, $backoff[0]['context']['delay']);
    }

    /** @test */
    public function tokenEndpoint_RetryAfterLongerThanAllowed_FailsAtOnceWithRetryAfter(): void
    {
        $server = Servers::main();
        self::freshWindow();
        $first = Servers::client($server, 'throttled', ['scopes' => ['identity:read']]);
        $impatient = Servers::client($server, 'throttled', ['scopes' => ['accounts:read'], 'maxRetryAfter' => 0.5]);
        $before = $server->tokenRequests();
        $first->auth()->accessToken();

        try {
            $impatient->auth()->accessToken();
            self::fail('no exception');
        } catch (TokenException $e) {
            self::assertSame('rate_limited', $e->error);
            self::assertSame(429, $e->status);
            self::assertNotNull($e->retryAfter);
            self::assertGreaterThan(0.5, $e->retryAfter);
        }
        self::assertSame(2, $server->tokenRequests() - $before);
    }

    /** @test */
    public function tokenEndpoint_RetryAfterLongerThanAllowed_NextCallFailsFastWithoutRequest(): void
    {
        $server = Servers::main();
        self::freshWindow();
        $clock = new FakeClock(); // frozen: the Retry-After cannot run out during the test
        $first = Servers::client($server, 'throttled', ['scopes' => ['identity:read']]);
        $impatient = Servers::client($server, 'throttled', ['scopes' => ['accounts:read'], 'maxRetryAfter' => 0.5, 'clock' => $clock]);
        $first->auth()->accessToken();
        try {
            $impatient->auth()->accessToken(); // 429, Retry-After too long
        } catch (TokenException) {
        }
        $before = $server->tokenRequests();

        try {
            $impatient->auth()->accessToken();
            self::fail('no exception');
        } catch (TokenException $e) {
            self::assertSame('rate_limited', $e->error);
            self::assertNotNull($e->retryAfter);
        }
        self::assertSame(0, $server->tokenRequests() - $before);
    }

    /** @test */
    public function send_503WithRetryAfter_WaitsThenRepeatsTheRequest(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('503-once');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']]);

        $response = $client->send('GET', $url);

        self::assertSame(200, $response->status);
        $requests = $api->requests($url);
        self::assertCount(2, $requests);
        self::assertGreaterThanOrEqual(0.95, $requests[1]['at'] - $requests[0]['at']);
    }

    /** @test */
    public function send_429WithRetryAfterBeyondMax_ReturnedWithoutWaiting(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('429-long');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']]);
        $client->auth()->accessToken();
        $started = microtime(true);

        $response = $client->send('GET', $url);

        self::assertSame(429, $response->status);
        self::assertCount(1, $api->requests($url));
        self::assertLessThan(5, microtime(true) - $started);
    }

    /** @test */
    public function send_503WithoutRetryAfter_ReturnedToTheCaller(): void
    {
        $api = ScriptedApi::get();
        $url = $api->url('503-no-retry-after');
        $client = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']]);

        $response = $client->send('GET', $url);

        self::assertSame(503, $response->status);
        self::assertCount(1, $api->requests($url));
    }
}
