<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

use Gatehouse\Client;

/** The two server configurations the suite needs, each started once, and clients of them. */
final class Servers
{
    public static function main(): GatehouseServer
    {
        return GatehouseServer::shared('main', [], [
            'partner' => ['audiences' => ['partner/v1', 'internal/v1']],
            // One token request per second (seed 002's limit, lowered), so the second in a second gets 429.
            'throttled' => ['rate_limit' => 1],
        ]);
    }

    /** Tokens live 65 s: 90% is 58.5 s, but "at least 60 s before exp" wins, so refresh is due 5 s in. */
    public static function shortLifetime(): GatehouseServer
    {
        return GatehouseServer::shared('short-lifetime', ['Gatehouse:Tokens:AccessTokenLifetime' => '00:01:05'], [
            'partner' => [],
        ]);
    }

    public static function client(GatehouseServer $server, string $name = 'partner', array $options = []): Client
    {
        return new Client($options + self::options($server, $name));
    }

    public static function options(GatehouseServer $server, string $name = 'partner'): array
    {
        $client = $server->client($name);
        return ['authority' => $server->issuer, 'clientId' => $client['client_id'], 'clientSecret' => $client['client_secret']];
    }
}
