/** For importers outside this context that still name this module: the events are in events.ts. */
export { ORGANIZATION_EVENT_TYPES } from "./events.js";
