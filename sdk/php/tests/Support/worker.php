<?php

// One PHP-FPM-like worker: its own process, nothing shared in memory. Waits for the common start time so all
// workers ask at once, then prints the access token it got (or the error).
declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

[$authority, $clientId, $clientSecret, $cacheDirectory, $startAt] = json_decode($argv[1], true, flags: JSON_THROW_ON_ERROR);
$options = ['authority' => $authority, 'clientId' => $clientId, 'clientSecret' => $clientSecret, 'scopes' => ['decisions:read']];
if ($cacheDirectory !== '') {
    $options['cache'] = new Gatehouse\Cache\FileCache($cacheDirectory);
}
$client = new Gatehouse\Client($options);
if ($startAt > microtime(true)) { // a late starter goes at once
    time_sleep_until($startAt);
}
try {
    echo $client->auth()->accessToken();
} catch (Gatehouse\TokenException $e) {
    echo 'error: ', $e->error;
    exit(1);
}
