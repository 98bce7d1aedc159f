<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/**
 * The real gatehouse server as a child process (dotnet gatehouse.dll serve) on a free loopback port with its own
 * data directory; clients are created with the CLI before it starts. Nothing is mocked.
 */
final class GatehouseServer
{
    /** @var array<string, self> */
    private static array $running = [];

    /** @var resource */
    private $process;
    public readonly string $issuer;
    private float $lastScrape = 0.0;

    /** @param array<string, array{client_id: string, client_secret: string}> $clients */
    private function __construct(public readonly string $dataDirectory, int $port, public readonly array $clients)
    {
        $this->issuer = "http://127.0.0.1:$port";
    }

    /**
     * One server per configuration for the whole run, stopped (and its directory removed) when PHPUnit exits.
     *
     * @param array<string, string> $settings --Gatehouse:Key=value settings
     * @param array<string, array{scope?: string, rate_limit?: int, audiences?: list<string>}> $clients
     */
    public static function shared(string $name, array $settings = [], array $clients = []): self
    {
        if (!isset(self::$running[$name])) {
            if (self::$running === []) {
                register_shutdown_function([self::class, 'stopAll']);
            }
            self::$running[$name] = self::start($settings, $clients);
        }
        return self::$running[$name];
    }

    public static function stopAll(): void
    {
        foreach (self::$running as $server) {
            $server->stop();
        }
        self::$running = [];
    }

    public static function dll(): string
    {
        $dll = getenv('GATEHOUSE_DLL') ?: __DIR__ . '/../../../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll';
        if (!is_file($dll)) {
            throw new \RuntimeException("No gatehouse.dll at $dll: build it (dotnet build src/Gatehouse.Server -c Release) or set GATEHOUSE_DLL.");
        }
        return realpath($dll);
    }

    private static function start(array $settings, array $clients): self
    {
        $dataDirectory = TempDirectory::create('gatehouse-php-server');
        $created = [];
        foreach ($clients as $name => $spec) {
            $arguments = ['clients', 'create', '--name', $name, '--json', '--data-dir', $dataDirectory,
                '--rate-limit', (string) ($spec['rate_limit'] ?? 100000)];
            if (isset($spec['scope'])) {
                array_push($arguments, '--scope', $spec['scope']);
            }
            foreach ($spec['audiences'] ?? [] as $audience) {
                array_push($arguments, '--audience', $audience);
            }
            $created[$name] = json_decode(self::cli($arguments), true, flags: JSON_THROW_ON_ERROR);
        }
        $port = self::freeLoopbackPort();
        $server = new self($dataDirectory, $port, $created);
        $command = ['dotnet', self::dll(), 'serve', '--urls', $server->issuer, '--data-dir', $dataDirectory,
            "--Gatehouse:Issuer={$server->issuer}",
            // Tests of bad credentials must not lock each other out.
            '--Gatehouse:RateLimits:FailedAuthenticationsPerMinute=100000',
            // /metrics on the server's own port: the default management port (5081) is shared by every server.
            '--Gatehouse:Management:Urls='];
        foreach ($settings as $key => $value) {
            $command[] = "--$key=$value";
        }
        $log = "$dataDirectory/server.log";
        $server->process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
        $deadline = microtime(true) + 30;
        while (microtime(true) < $deadline) {
            if (!proc_get_status($server->process)['running']) {
                throw new \RuntimeException("gatehouse exited:\n" . file_get_contents($log));
            }
            if (Http::get($server->issuer . '/healthz')[0] === 200) {
                return $server;
            }
            usleep(50_000);
        }
        $server->stop();
        throw new \RuntimeException("gatehouse did not answer /healthz within 30 s:\n" . file_get_contents($log));
    }

    /** @return array{client_id: string, client_secret: string} */
    public function client(string $name): array
    {
        return $this->clients[$name];
    }

    /** Requests the token endpoint answered, whatever the status (the server's own request metric). */
    public function tokenRequests(): int
    {
        return $this->metricSum('http_server_request_duration_seconds_count', 'http_route="/oauth/token"');
    }

    public function tokenRequestsAnswered(int $status): int
    {
        return $this->metricSum('http_server_request_duration_seconds_count', 'http_route="/oauth/token"', "http_response_status_code=\"$status\"");
    }

    public function tokensIssued(): int
    {
        return $this->metricSum('gatehouse_tokens_issued_total', 'grant_type="client_credentials"');
    }

    public function discoveryFetches(): int
    {
        return $this->metricSum('http_server_request_duration_seconds_count', 'http_route="/.well-known/oauth-authorization-server"');
    }

    private function metricSum(string $name, string ...$labels): int
    {
        // The server records a request's metrics just after sending its response, and its Prometheus exporter
        // answers a scrape within 300 ms of the previous one from cache.
        usleep(50_000);
        $fresh = $this->lastScrape + 0.35 - microtime(true);
        if ($fresh > 0) {
            usleep((int) ($fresh * 1_000_000));
        }
        [$status, $text] = Http::get($this->issuer . '/metrics');
        $this->lastScrape = microtime(true);
        if ($status !== 200) {
            throw new \RuntimeException("GET /metrics answered $status");
        }
        $sum = 0;
        foreach (explode("\n", $text) as $line) {
            if (!str_starts_with($line, $name . '{')) {
                continue;
            }
            foreach ($labels as $label) {
                if (!str_contains($line, $label)) {
                    continue 2;
                }
            }
            $sum += (int) substr($line, strrpos($line, ' ') + 1);
        }
        return $sum;
    }

    private function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process, 15);
            $deadline = microtime(true) + 5;
            while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
                usleep(50_000);
            }
            if (proc_get_status($this->process)['running']) {
                proc_terminate($this->process, 9);
            }
            proc_close($this->process);
        }
        TempDirectory::remove($this->dataDirectory);
    }

    private static function cli(array $arguments): string
    {
        $process = proc_open(['dotnet', self::dll(), ...$arguments], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $code = proc_close($process);
        if ($code !== 0) {
            throw new \RuntimeException('gatehouse ' . implode(' ', $arguments) . " exited with $code: $err");
        }
        return $out;
    }

    public static function freeLoopbackPort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
