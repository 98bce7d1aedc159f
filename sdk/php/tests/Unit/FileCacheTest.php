<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Unit;

use Gatehouse\Cache\FileCache;
use Gatehouse\Cache\InvalidCacheKey;
use Gatehouse\Tests\Support\TempDirectory;
use PHPUnit\Framework\TestCase;

/** The bundled PSR-16 cache and the add-if-absent the client's lock relies on. */
final class FileCacheTest extends TestCase
{
    private string $directory;
    private FileCache $cache;

    protected function setUp(): void
    {
        $this->directory = TempDirectory::create('gatehouse-php-filecache');
        $this->cache = new FileCache($this->directory);
    }

    protected function tearDown(): void
    {
        TempDirectory::remove($this->directory);
    }

    /** @test */
    public function add_KeyHeld_FalseAndValueKept(): void
    {
        self::assertTrue($this->cache->add('gatehouse.lock.a', 'first', 30));
        self::assertFalse($this->cache->add('gatehouse.lock.a', 'second', 30));
        self::assertSame('first', $this->cache->get('gatehouse.lock.a'));
    }

    /** @test */
    public function add_AfterDeleteOrExpiry_TrueAgain(): void
    {
        $this->cache->add('k.deleted', 'x', 30);
        $this->cache->delete('k.deleted');
        $this->cache->set('k.expired', 'x', -1);

        self::assertTrue($this->cache->add('k.deleted', 'y', 30));
        self::assertTrue($this->cache->add('k.expired', 'y', 30));
        self::assertFalse($this->cache->has('missing'));
        self::assertSame('default', $this->cache->get('missing', 'default'));
    }

    /** @test */
    public function add_SixteenProcessesAtOnce_ExactlyOneWins(): void
    {
        $autoload = realpath(__DIR__ . '/../../autoload.php');
        $startAt = microtime(true) + 2.0;
        $script = sprintf('require %s; $c = new Gatehouse\Cache\FileCache(%s); if (%F > microtime(true)) { time_sleep_until(%F); } echo $c->add("race", getmypid(), 30) ? "won" : "lost";',
            var_export($autoload, true), var_export($this->directory, true), $startAt, $startAt);
        $processes = [];
        for ($i = 0; $i < 16; $i++) {
            $processes[$i] = proc_open([PHP_BINARY, '-r', $script], [1 => ['pipe', 'w']], $pipes[$i]);
        }
        $outcomes = [];
        foreach ($processes as $i => $process) {
            $outcomes[] = stream_get_contents($pipes[$i][1]);
            proc_close($process);
        }

        self::assertSame(1, count(array_keys($outcomes, 'won')), implode(',', $outcomes));
    }

    /** @test */
    public function files_CreatedByTheCache_ReadableByTheOwnerOnly(): void
    {
        $this->cache->set('gatehouse.token.a', 'sealed');

        self::assertSame(0700, fileperms($this->directory) & 0777);
        self::assertSame(0600, fileperms(glob($this->directory . '/*.cache')[0]) & 0777);
    }

    /** @test */
    public function set_ReservedCharacterInKey_RejectedAsPsr16Says(): void
    {
        $this->expectException(InvalidCacheKey::class);
        $this->cache->set('gatehouse:token', 'x');
    }
}
