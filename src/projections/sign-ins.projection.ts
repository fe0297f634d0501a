import { signInEventCodec } from "../domain/sign-ins/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/** Which sign-ins have ended (signed out, or a refresh token reused): their access tokens stop working. */
export const signInsProjection: Projection = {
  name: "sign-ins",
  version: 1,
  tables: ["sign_ins"],
  schema: `
    CREATE TABLE IF NOT EXISTS sign_ins (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      organization_id TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      revision INTEGER NOT NULL
    );`,
  handles: new Set(["SignInStarted", "SignInEnded"]),
  apply(db, recorded) {
    const event = signInEventCodec.decode(recorded);
    switch (event.type) {
      case "SignInStarted":
        prepared(
          db,
          `INSERT INTO sign_ins (id, user_id, organization_id, started_at, revision)
           VALUES (@signInId, @userId, @organizationId, @startedAt, @revision) ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, revision: recorded.revision });
        return;
      case "SignInEnded":
        prepared(db, "UPDATE sign_ins SET ended_at = ?, revision = ? WHERE id = ? AND revision < ?").run(
          event.data.endedAt,
          recorded.revision,
          event.data.signInId,
          recorded.revision,
        );
        return;
      case "SignInRefreshed":
        return;
    }
  },
};
