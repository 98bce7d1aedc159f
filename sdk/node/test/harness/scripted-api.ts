import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ApiRequest {
  method: string;
  token: string | undefined;
  body: string;
  at: number;
}

type Script = (n: number, response: ServerResponse, request: IncomingMessage) => void;

/** A tiny protected API on loopback whose n-th answer is scripted, recording the token and body of each request. */
export class ScriptedApi {
  readonly requests: ApiRequest[] = [];
  private constructor(private readonly server: ReturnType<typeof createServer>, readonly baseUrl: string) {}

  static async start(script: Script): Promise<ScriptedApi> {
    let api: ScriptedApi;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const authorization = request.headers.authorization;
        api.requests.push({
          method: request.method ?? "GET",
          token: authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined,
          body: Buffer.concat(chunks).toString("utf8"),
          at: Date.now(),
        });
        script(api.requests.length, response, request);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    api = new ScriptedApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return api;
  }

  url(path: string): string {
    return this.baseUrl + path;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

export function ok(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
}

export function invalidToken(response: ServerResponse): void {
  response.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token", error_description="The access token expired"' }).end();
}

export function status(response: ServerResponse, code: number, retryAfter?: string): void {
  response.writeHead(code, retryAfter === undefined ? {} : { "retry-after": retryAfter }).end();
}
