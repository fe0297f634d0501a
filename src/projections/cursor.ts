import { ValidationError } from "../domain/shared/errors.js";

/** Keyset cursors name their ordering: one from another ordering would point at the wrong place. */
export function encodeCursor(field: string, key: string, id: string): string {
  return Buffer.from(JSON.stringify([field, key, id])).toString("base64url");
}

export function decodeCursor(cursor: string, field: string): [key: string, id: string] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    // reported below
  }
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === "string")) {
    if (value[0] !== field) {
      throw new ValidationError("after", `is a cursor of a list ordered by ${value[0]}, not by ${field}`);
    }
    return [value[1], value[2]];
  }
  throw new ValidationError("after", "is not a cursor returned by this list");
}
