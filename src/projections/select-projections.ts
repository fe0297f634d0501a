import type { Projection } from "./projection.js";

export class UnknownProjectionError extends Error {
  constructor(names: readonly string[], known: readonly Projection[]) {
    super(
      `Unknown projection${names.length > 1 ? "s" : ""}: ${names.join(", ")}. ` +
        `Known projections: ${known.map((projection) => projection.name).join(", ")}`,
    );
    this.name = "UnknownProjectionError";
  }
}

/** The projections named, in their declared order; every one when no name is given. */
export function selectProjections(names: readonly string[], known: readonly Projection[]): readonly Projection[] {
  if (names.length === 0) return known;
  const unknown = names.filter((name) => !known.some((projection) => projection.name === name));
  if (unknown.length > 0) throw new UnknownProjectionError(unknown, known);
  return known.filter((projection) => names.includes(projection.name));
}
