<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/** Several `php worker.php` processes, started together, each asking for a token once. */
final class Workers
{
    /** @return list<string> each worker's output: its access token */
    public static function run(int $count, GatehouseServer $server, string $cacheDirectory): array
    {
        $client = $server->client('partner');
        // Far enough ahead that every process has started and loaded the SDK before any asks.
        $startAt = microtime(true) + 1.5;
        $argument = json_encode([$server->issuer, $client['client_id'], $client['client_secret'], $cacheDirectory, $startAt]);
        $processes = [];
        for ($i = 0; $i < $count; $i++) {
            $processes[] = proc_open([PHP_BINARY, __DIR__ . '/worker.php', $argument], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            $outputs[] = $pipes;
        }
        $results = [];
        foreach ($processes as $i => $process) {
            $results[] = stream_get_contents($outputs[$i][1]) . stream_get_contents($outputs[$i][2]);
            proc_close($process);
        }
        return $results;
    }
}
