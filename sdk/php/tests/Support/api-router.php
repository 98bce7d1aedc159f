<?php

// Router for `php -S`: /{script}/{id}. Records every request under {id}, then answers as {script} says.
declare(strict_types=1);

[, $script, $id] = explode('/', parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH)) + [null, '', ''];
$log = getenv('API_STATE_DIR') . '/' . basename($id) . '.jsonl';
file_put_contents($log, json_encode([
    'authorization' => $_SERVER['HTTP_AUTHORIZATION'] ?? '',
    'body' => file_get_contents('php://input'),
    'at' => microtime(true),
]) . "\n", FILE_APPEND | LOCK_EX);
$count = count(file($log));
$bearer = str_starts_with($_SERVER['HTTP_AUTHORIZATION'] ?? '', 'Bearer ey');

$invalidToken = static function (): void {
    http_response_code(401);
    header('WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is not valid"');
};
$ok = static function () use ($bearer): void {
    http_response_code($bearer ? 200 : 403);
    header('Content-Type: application/json');
    echo json_encode(['decision' => $bearer ? 'approved' : 'no bearer token']);
};

match ($script) {
    'health' => print('ok'),
    'ok' => $ok(),
    'invalid-once' => $count === 1 ? $invalidToken() : $ok(),
    'invalid-always' => $invalidToken(),
    '401-without-error' => (static function (): void {
        http_response_code(401);
        header('WWW-Authenticate: Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"');
    })(),
    '503-once' => $count === 1 ? (static function (): void {
        http_response_code(503);
        header('Retry-After: 1');
    })() : $ok(),
    '429-long' => (static function (): void {
        http_response_code(429);
        header('Retry-After: 120');
    })(),
    '503-no-retry-after' => http_response_code(503),
    default => http_response_code(404),
};
