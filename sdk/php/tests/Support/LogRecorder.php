<?php

declare(strict_types=1);

namespace Gatehouse\Tests\Support;

/** A PSR-3-shaped logger that keeps every record, with its placeholders filled in. */
final class LogRecorder
{
    /** @var list<array{level: string, message: string, context: array}> */
    public array $records = [];

    public function log($level, string|\Stringable $message, array $context = []): void
    {
        $text = preg_replace_callback('/\{(\w+)\}/', static fn (array $m) => array_key_exists($m[1], $context) ? (string) $context[$m[1]] : $m[0], (string) $message);
        $this->records[] = ['level' => (string) $level, 'message' => $text, 'context' => $context];
    }

    public function text(): string
    {
        return implode("\n", array_map(static fn (array $r) => "[{$r['level']}] {$r['message']} " . json_encode($r['context']), $this->records));
    }

    public function contains(string $fragment): bool
    {
        return str_contains($this->text(), $fragment);
    }
}
