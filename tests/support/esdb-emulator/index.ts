/**
 * TEST-ONLY EventStoreDB emulator (see server.ts for what it checks and what it does not).
 */
export { startEsdbEmulator, type EsdbEmulator, type EsdbEmulatorOptions } from "./server.js";
export type { EmulatedRpc } from "./faults.js";
