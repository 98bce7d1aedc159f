<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/**
 * A small protected API: `php -S` with api-router.php. The path picks a script, e.g. /invalid-once/{id} answers
 * 401 WWW-Authenticate: Bearer error="invalid_token" to its first request and 200 after; each request's
 * Authorization header, body and arrival time are recorded per id.
 */
final class ScriptedApi
{
    private static ?self $instance = null;

    /** @var resource */
    private $process;
    public readonly string $baseUrl;
    private readonly string $stateDirectory;

    private function __construct()
    {
        $this->stateDirectory = TempDirectory::create('gatehouse-php-api');
        $port = GatehouseServer::freeLoopbackPort();
        $this->baseUrl = "http://127.0.0.1:$port";
        $this->process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/api-router.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', "{$this->stateDirectory}/php-s.log", 'a']],
            $pipes,
            null,
            ['API_STATE_DIR' => $this->stateDirectory],
        );
        $deadline = microtime(true) + 10;
        while (Http::get($this->baseUrl . '/health/x')[0] !== 200) {
            if (microtime(true) > $deadline) {
                throw new \RuntimeException('php -S did not start');
            }
            usleep(20_000);
        }
    }

    public static function get(): self
    {
        if (self::$instance === null) {
            self::$instance = new self();
            register_shutdown_function(static function (): void {
                proc_terminate(self::$instance->process, 9);
                proc_close(self::$instance->process);
                TempDirectory::remove(self::$instance->stateDirectory);
            });
        }
        return self::$instance;
    }

    /** A fresh URL for $script, so each test reads only its own requests. */
    public function url(string $script): string
    {
        return "{$this->baseUrl}/$script/" . bin2hex(random_bytes(6));
    }

    /** @return list<array{authorization: string, body: string, at: float}> */
    public function requests(string $url): array
    {
        $file = $this->stateDirectory . '/' . basename($url) . '.jsonl';
        if (!is_file($file)) {
            return [];
        }
        return array_map(static fn (string $line) => json_decode($line, true), file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES));
    }
}
