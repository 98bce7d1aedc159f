<?php

declare(strict_types=1);

namespace Gatehouse\Cache;

/**
 * A PSR-16-shaped cache in a directory, for PHP-FPM workers on one machine, which share nothing in memory.
 * Every read and write holds flock() on the entry's file, so add() — write only if absent — is atomic across
 * processes: the client uses it as the lock that makes a fleet of workers send one token request.
 *
 * Give it a directory of its own that only the application's user can read (it is created with 0700). Values are
 * stored with serialize(); the client stores only strings (its tokens encrypted). Not for NFS: flock() there
 * may not lock.
 */
final class FileCache implements AtomicAdd
{
    public function __construct(private readonly string $directory)
    {
        if (!is_dir($directory) && !@mkdir($directory, 0700, true) && !is_dir($directory)) {
            throw new \RuntimeException("FileCache cannot create the directory $directory");
        }
    }

    public function get(string $key, mixed $default = null): mixed
    {
        $handle = @fopen($this->path($key), 'r');
        if ($handle === false) {
            return $default;
        }
        try {
            flock($handle, LOCK_SH);
            $entry = self::read($handle);
            return $entry === null ? $default : $entry['value'];
        } finally {
            fclose($handle); // releases the lock
        }
    }

    public function set(string $key, mixed $value, null|int|\DateInterval $ttl = null): bool
    {
        return $this->write($key, $value, $ttl, onlyIfAbsent: false);
    }

    /** Stores $value only when the key holds nothing (or something expired); true when this call stored it. */
    public function add(string $key, mixed $value, null|int|\DateInterval $ttl = null): bool
    {
        return $this->write($key, $value, $ttl, onlyIfAbsent: true);
    }

    public function delete(string $key): bool
    {
        $handle = $this->openForWriting($key, 'c');
        if ($handle === false) {
            return false;
        }
        try {
            // Emptied, not unlinked: a process waiting for this file's lock would otherwise write into a file
            // nobody can open any more, and two processes could both win add().
            flock($handle, LOCK_EX);
            return ftruncate($handle, 0);
        } finally {
            fclose($handle);
        }
    }

    public function has(string $key): bool
    {
        return $this->get($key, $this) !== $this;
    }

    public function clear(): bool
    {
        foreach (glob($this->directory . '/*.cache') ?: [] as $file) {
            @unlink($file);
        }
        return true;
    }

    public function getMultiple(iterable $keys, mixed $default = null): iterable
    {
        $values = [];
        foreach ($keys as $key) {
            $values[$key] = $this->get($key, $default);
        }
        return $values;
    }

    public function setMultiple(iterable $values, null|int|\DateInterval $ttl = null): bool
    {
        $stored = true;
        foreach ($values as $key => $value) {
            $stored = $this->set((string) $key, $value, $ttl) && $stored;
        }
        return $stored;
    }

    public function deleteMultiple(iterable $keys): bool
    {
        $deleted = true;
        foreach ($keys as $key) {
            $deleted = $this->delete($key) && $deleted;
        }
        return $deleted;
    }

    private function write(string $key, mixed $value, null|int|\DateInterval $ttl, bool $onlyIfAbsent): bool
    {
        $expiresAt = self::expiresAt($ttl);
        $handle = $this->openForWriting($key, 'c+');
        if ($handle === false) {
            return false;
        }
        try {
            flock($handle, LOCK_EX);
            if ($onlyIfAbsent && self::read($handle) !== null) {
                return false;
            }
            if ($expiresAt !== null && $expiresAt <= microtime(true)) {
                return ftruncate($handle, 0); // PSR-16: a ttl of zero or less deletes
            }
            ftruncate($handle, 0);
            rewind($handle);
            $written = fwrite($handle, serialize(['expires_at' => $expiresAt, 'value' => $value]));
            fflush($handle);
            return $written !== false;
        } finally {
            fclose($handle);
        }
    }

    /** @return array{expires_at: ?float, value: mixed}|null null when empty, unreadable or expired */
    private static function read($handle): ?array
    {
        rewind($handle);
        $content = stream_get_contents($handle);
        if ($content === false || $content === '') {
            return null;
        }
        $entry = @unserialize($content);
        if (!is_array($entry) || !array_key_exists('value', $entry)) {
            return null;
        }
        if ($entry['expires_at'] !== null && $entry['expires_at'] <= microtime(true)) {
            return null;
        }
        return $entry;
    }

    private static function expiresAt(null|int|\DateInterval $ttl): ?float
    {
        if ($ttl === null) {
            return null;
        }
        if ($ttl instanceof \DateInterval) {
            $now = new \DateTimeImmutable();
            return (float) $now->add($ttl)->format('U.u');
        }
        return microtime(true) + $ttl;
    }

    /** @return resource|false */
    private function openForWriting(string $key, string $mode)
    {
        $path = $this->path($key);
        $handle = @fopen($path, $mode);
        if ($handle !== false) {
            @chmod($path, 0600); // tokens are encrypted, but the lock and markers need not be readable by others either
        }
        return $handle;
    }

    private function path(string $key): string
    {
        // PSR-16 §1.2: keys of A-Z a-z 0-9 _ . must be supported; {}()/\@: are reserved.
        if ($key === '' || preg_match('/[{}()\/\\\\@:]/', $key)) {
            throw new InvalidCacheKey("Invalid cache key '$key'");
        }
        return $this->directory . '/' . rawurlencode($key) . '.cache';
    }
}
