/**
 * Everything the client reports, for logs and metrics. Fields are ids, scopes, statuses, hosts, paths
 * and durations: never a secret, a token or a query string. `message` is a ready-to-log sentence.
 */
export type GatehouseEvent =
  | Event<"discovery_fetched", "info", { authority: string; tokenEndpoint: string }>
  | Event<"discovery_failed", "warn", { authority: string; reason: string; keptPrevious: boolean }>
  | Event<"token_request", "debug", { clientId: string; outcome: string; status: number | undefined; durationMs: number }>
  | Event<"token_acquired", "debug", { clientId: string; scope: string; expiresInMs: number; refreshAt: number }>
  | Event<"cache_hit", "debug", { tier: "memory" | "shared" }>
  | Event<"cache_miss", "debug", Record<never, never>>
  | Event<"refresh", "debug", { clientId: string; outcome: "success" | "failure" }>
  | Event<"retry", "debug", { reason: "invalid_token" | "retry_after" | "transient" }>
  | Event<"invalid_client", "error", { clientId: string; description: string | undefined }>
  | Event<"token_request_backing_off", "warn", { clientId: string; error: string; status: number | undefined; delayMs: number }>
  | Event<"token_request_failed", "warn", { clientId: string; error: string; status: number | undefined }>
  | Event<"background_refresh_failed", "warn", { clientId: string; error: string; nextAttemptInMs: number }>
  | Event<"background_refresh_stopped", "warn", { clientId: string; error: string }>
  | Event<"api_invalid_token", "info" | "warn", { method: string; host: string; path: string; action: "retried" | "not_replayable" | "renewed_recently" }>
  | Event<"api_backing_off", "info", { method: string; host: string; path: string; status: number; delayMs: number }>
  | Event<"shared_cache_failed", "warn", { operation: "get" | "set" | "delete"; reason: string }>
  | Event<"shared_cache_unreadable", "debug", Record<never, never>>;

type Event<Type extends string, Level extends "debug" | "info" | "warn" | "error", Fields> = {
  type: Type;
  level: Level;
  message: string;
} & Fields;

export type GatehouseEventType = GatehouseEvent["type"];

/** Hands events to the application's hook; a failing hook must never fail a token request. */
export class EventSink {
  constructor(private readonly hook: ((event: GatehouseEvent) => void) | undefined) {}

  emit(event: GatehouseEvent): void {
    if (!this.hook) return;
    try {
      this.hook(event);
    } catch {
      // The application's logger or metrics broke; the token is still good.
    }
  }
}
