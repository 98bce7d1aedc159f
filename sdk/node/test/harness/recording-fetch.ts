export interface Exchange {
  method: string;
  path: string;
  status: number | undefined;
  sentAt: number;
  retryAfter: string | null;
  authorization: string | null;
}

/**
 * The real global fetch, with a record of every exchange (like Gatehouse.Client's tests' RecordingHandler).
 * `unreachable` makes requests fail as a refused connection would, without reaching the server.
 */
export class RecordingFetch {
  readonly exchanges: Exchange[] = [];
  unreachable = false;
  attempts = 0;

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    this.attempts++;
    // Read without constructing a Request, which would take the body over.
    const base = input instanceof Request ? input : undefined;
    const exchange: Exchange = {
      method: (init?.method ?? base?.method ?? "GET").toUpperCase(),
      path: new URL(base?.url ?? String(input)).pathname,
      status: undefined,
      sentAt: Date.now(),
      retryAfter: null,
      authorization: new Headers(init?.headers ?? base?.headers).get("authorization"),
    };
    this.exchanges.push(exchange);
    if (this.unreachable) throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const response = await globalThis.fetch(input, init);
    exchange.status = response.status;
    exchange.retryAfter = response.headers.get("retry-after");
    return response;
  };

  count(path: string): number {
    return this.exchanges.filter((e) => e.path === path).length;
  }

  to(path: string): Exchange[] {
    return this.exchanges.filter((e) => e.path === path);
  }
}

export const TOKEN_PATH = "/oauth/token";
export const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";
