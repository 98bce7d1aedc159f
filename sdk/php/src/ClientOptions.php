<?php

declare(strict_types=1);

namespace Gatehouse;

use Gatehouse\Discovery\Authority;

/**
 * The options array of a Client, validated once. Every endpoint comes from the authority's discovery document;
 * none is configured here. Keys are camelCase; seed 002's snake_case client_id and client_secret work too.
 *
 * @internal
 */
final class ClientOptions
{
    private const ALIASES = ['client_id' => 'clientId', 'client_secret' => 'clientSecret'];
    private const KNOWN = ['authority', 'clientId', 'clientSecret', 'scopes', 'audience', 'cache', 'logger', 'clock',
        'timeout', 'maxRetryAfter', 'maxTokenRequestAttempts', 'maxApiBackoffRetries', 'discoveryRefreshInterval'];

    public readonly string $authority;
    public readonly string $clientId;
    public readonly string $clientSecret;
    /** Distinct and sorted: the cache key and the token request see the same set whatever the order given. */
    public readonly string $scopeSet;
    public readonly ?string $audience;
    public readonly ?object $cache;
    public readonly ?object $logger;
    public readonly ?object $clock;
    public readonly float $timeout;
    public readonly float $maxRetryAfter;
    public readonly int $maxTokenRequestAttempts;
    public readonly int $maxApiBackoffRetries;
    public readonly float $discoveryRefreshInterval;

    public function __construct(array $options)
    {
        foreach (self::ALIASES as $alias => $name) {
            if (array_key_exists($alias, $options)) {
                $options[$name] ??= $options[$alias];
                unset($options[$alias]);
            }
        }
        $unknown = array_diff(array_keys($options), self::KNOWN);
        if ($unknown !== []) {
            throw new \InvalidArgumentException('Unknown Gatehouse\Client option(s): ' . implode(', ', $unknown) . '.');
        }

        $authority = rtrim(trim((string) ($options['authority'] ?? '')), '/');
        if (!Authority::isSecureOrLoopback($authority)) {
            throw new \InvalidArgumentException("The 'authority' option must be an absolute https URL (plain http only for localhost).");
        }
        $this->authority = $authority;
        $this->clientId = trim((string) ($options['clientId'] ?? ''));
        if ($this->clientId === '') {
            throw new \InvalidArgumentException("The 'clientId' option is required.");
        }
        $this->clientSecret = (string) ($options['clientSecret'] ?? '');
        if ($this->clientSecret === '') {
            throw new \InvalidArgumentException("The 'clientSecret' option is required.");
        }
        $this->scopeSet = self::scopeSet($options['scopes'] ?? []);
        $audience = $options['audience'] ?? null;
        $this->audience = $audience === null || $audience === '' ? null : (string) $audience;
        $this->cache = self::objectOrNull($options, 'cache');
        $this->logger = self::objectOrNull($options, 'logger');
        $this->clock = self::objectOrNull($options, 'clock');
        $this->timeout = self::positive($options, 'timeout', 30.0);
        $this->maxRetryAfter = self::positive($options, 'maxRetryAfter', 30.0);
        $this->maxTokenRequestAttempts = max(1, (int) self::positive($options, 'maxTokenRequestAttempts', 3));
        $this->maxApiBackoffRetries = max(0, (int) ($options['maxApiBackoffRetries'] ?? 2));
        $this->discoveryRefreshInterval = self::positive($options, 'discoveryRefreshInterval', 86400.0);
    }

    /** @param string|list<string> $scopes */
    private static function scopeSet(string|array $scopes): string
    {
        $list = is_string($scopes) ? preg_split('/\s+/', $scopes) : $scopes;
        $list = array_values(array_unique(array_filter(array_map('trim', $list), static fn (string $s) => $s !== '')));
        sort($list, SORT_STRING);
        return implode(' ', $list);
    }

    private static function objectOrNull(array $options, string $name): ?object
    {
        $value = $options[$name] ?? null;
        if ($value !== null && !is_object($value)) {
            throw new \InvalidArgumentException("The '$name' option must be an object.");
        }
        return $value;
    }

    private static function positive(array $options, string $name, float $default): float
    {
        $value = $options[$name] ?? $default;
        if (!is_numeric($value) || $value <= 0) {
            throw new \InvalidArgumentException("The '$name' option must be a positive number.");
        }
        return (float) $value;
    }
}
