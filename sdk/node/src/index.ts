export { Gatehouse } from "./gatehouse.js";
export type { GatehouseAuth } from "./auth.js";
export type { GatehouseOptions } from "./options.js";
export { GatehouseToken } from "./tokens/gatehouse-token.js";
export { GatehouseTokenError } from "./errors.js";
export type { SharedTokenCache } from "./cache/shared-token-cache.js";
export type { GatehouseEvent, GatehouseEventType } from "./events.js";
