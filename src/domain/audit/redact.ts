/** Fields whose values never leave the server, not even for auditors or exports. */
const SECRET_FIELDS = new Set(["passwordHash", "secretHash", "secret"]);

/** The event's data as JSON with secrets replaced by "[redacted]". */
export function redactedJson(data: unknown): string {
  return JSON.stringify(data, (key, value) => (SECRET_FIELDS.has(key) && value != null ? "[redacted]" : value));
}
