import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** sdk/node, from build/test/harness. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DLL = resolve(PACKAGE_ROOT, process.env.GATEHOUSE_DLL ?? "../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll");

export interface ClientSpec {
  name: string;
  scope?: string;
  audiences?: string[];
  /** Token requests per second; high by default so that tests do not throttle each other. */
  rateLimit?: number;
}

export interface CreatedClient {
  clientId: string;
  clientSecret: string;
}

export interface RunningGatehouse {
  /** `http://127.0.0.1:PORT`, the issuer and base address. */
  issuer: string;
  clients: Record<string, CreatedClient>;
  /** The server's own count of issued tokens (`gatehouse_tokens_issued_total` on /metrics). */
  tokensIssued(): Promise<number>;
  logs(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// An aborted run must not leave servers behind.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * The real gatehouse server as a child process (`dotnet gatehouse.dll serve`) on a free loopback port with
 * its own data directory; clients are created with the admin CLI first. Nothing is mocked.
 */
export async function startGatehouse(options: { clients: ClientSpec[]; settings?: Record<string, string> }): Promise<RunningGatehouse> {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-node-"));
  try {
    const clients: Record<string, CreatedClient> = {};
    for (const spec of options.clients) clients[spec.name] = await createClient(dataDir, spec);
    const settings = {
      // Tests of bad credentials must not lock each other out.
      "Gatehouse:RateLimits:FailedAuthenticationsPerMinute": "100000",
      // /metrics on the server's own port: the default management port (5081) is shared by every server.
      "Gatehouse:Management:Urls": "",
      ...options.settings,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dataDir, await freeLoopbackPort(), settings, clients);
      } catch (error) {
        if (attempt >= 3 || !/address already in use/i.test(String(error))) throw error;
      }
    }
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function createClient(dataDir: string, spec: ClientSpec): Promise<CreatedClient> {
  const args = ["clients", "create", "--name", spec.name, "--json", "--data-dir", dataDir, "--rate-limit", String(spec.rateLimit ?? 100_000)];
  if (spec.scope) args.push("--scope", spec.scope);
  for (const audience of spec.audiences ?? []) args.push("--audience", audience);
  const { stdout } = await promisify(execFile)("dotnet", [DLL, ...args], { env: serverEnvironment(), timeout: 60_000 });
  const created = JSON.parse(stdout) as { client_id: string; client_secret: string };
  return { clientId: created.client_id, clientSecret: created.client_secret };
}

async function launch(dataDir: string, port: number, settings: Record<string, string>, clients: Record<string, CreatedClient>): Promise<RunningGatehouse> {
  const issuer = `http://127.0.0.1:${port}`;
  const args = [DLL, "serve", "--urls", issuer, "--data-dir", dataDir, `--Gatehouse:Issuer=${issuer}`,
    ...Object.entries(settings).map(([key, value]) => `--${key}=${value}`)];
  const child = spawn("dotnet", args, { env: serverEnvironment(), stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    running.delete(child);
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      running.delete(child);
      throw new Error(`gatehouse exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${issuer}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gatehouse did not answer /healthz within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    issuer,
    clients,
    logs: () => output,
    async tokensIssued() {
      // The Prometheus exporter caches its answer for 300 ms: read a fresh one.
      await new Promise((r) => setTimeout(r, 350));
      const metrics = await (await fetch(`${issuer}/metrics`)).text();
      const line = metrics.split("\n").find((l) => l.startsWith("gatehouse_tokens_issued_total{") && l.includes('grant_type="client_credentials"'));
      return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
    },
    async stop() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The developer's shell settings must not leak into the server under test. */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DOTNET_NOLOGO: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(gatehouse__|aspnetcore_)/i.test(key) || key === "DOTNET_URLS" || key === "DOTNET_ENVIRONMENT") continue;
    env[key] = value;
  }
  return env;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}
