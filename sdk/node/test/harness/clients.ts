import { Gatehouse, type GatehouseEvent, type GatehouseOptions } from "@gatehouse/client";
import type { CreatedClient, RunningGatehouse } from "./gatehouse-server.js";
import { RecordingFetch } from "./recording-fetch.js";

const open: Gatehouse[] = [];

/** A Gatehouse for `client` of `server`, sending through `recorder` (a fresh one by default); `closeAll()` after each test. */
export function gatehouseFor(server: RunningGatehouse, client: CreatedClient, options: Partial<GatehouseOptions> = {},
  recorder = new RecordingFetch()) {
  const events: GatehouseEvent[] = [];
  const gh = new Gatehouse({
    authority: server.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    fetch: recorder.fetch,
    onEvent: (e) => events.push(e),
    ...options,
  });
  open.push(gh);
  return { gh, recorder, events };
}

export function closeAll(): void {
  for (const gh of open.splice(0)) gh.close();
}
