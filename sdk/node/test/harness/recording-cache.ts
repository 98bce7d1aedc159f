import type { SharedTokenCache } from "@gatehouse/client";

/** A shared cache in a Map, as Redis would hold it, with the entries open to inspection. */
export class RecordingCache implements SharedTokenCache {
  readonly entries = new Map<string, string>();
  gets = 0;

  async get(key: string) {
    this.gets++;
    return this.entries.get(key);
  }

  async set(key: string, value: string, _ttlMs: number) {
    this.entries.set(key, value);
  }

  async delete(key: string) {
    this.entries.delete(key);
  }
}
