<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Server;

use Gatehouse\Cache\FileCache;
use Gatehouse\InvalidClientException;
use Gatehouse\Tests\Support\LogRecorder;
use Gatehouse\Tests\Support\ScriptedApi;
use Gatehouse\Tests\Support\Servers;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/** SPEC 10: secrets never logged — nor tokens, which are as good as a secret for their lifetime. */
final class LoggingTest extends TestCase
{
    /** @test */
    public function logger_DiscoveryTokenRetryAndRefusal_NeverSeesTheSecretOrAToken(): void
    {
        $server = Servers::main();
        $secret = $server->client('partner')['client_secret'];
        $log = new LogRecorder();
        $directory = TempDirectory::create('gatehouse-php-cache');
        $client = Servers::client($server, options: ['scopes' => ['decisions:read'], 'logger' => $log, 'cache' => new FileCache($directory)]);
        $api = ScriptedApi::get();

        $tokens = [$client->auth()->accessToken()];
        $client->send('GET', $api->url('invalid-once') . '?secret_query=1');
        $tokens[] = $client->auth()->accessToken();
        try {
            Servers::client($server, options: ['clientSecret' => $secret . 'wrong', 'logger' => $log])->auth()->accessToken();
        } catch (InvalidClientException) {
        }
        TempDirectory::remove($directory);

        $text = $log->text();
        self::assertTrue($log->contains('token endpoint'), $text);
        self::assertTrue($log->contains('retrying once'), $text);
        self::assertTrue($log->contains('invalid_client'), $text);
        self::assertStringNotContainsString($secret, $text);
        self::assertStringNotContainsString('secret_query', $text);
        foreach ($tokens as $token) {
            self::assertStringNotContainsString(explode('.', $token)[1], $text);
            self::assertStringNotContainsString(explode('.', $token)[2], $text);
        }
    }

    /** @test */
    public function token_PrintedOrDumped_HidesTheAccessToken(): void
    {
        $token = Servers::client(Servers::main(), options: ['scopes' => ['decisions:read']])->auth()->token();

        self::assertStringNotContainsString($token->accessToken, (string) $token);
        self::assertStringNotContainsString($token->accessToken, print_r($token, true));
        self::assertStringContainsString('decisions:read', (string) $token);
    }
}
