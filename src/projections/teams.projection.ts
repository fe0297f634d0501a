import { TEAM_EVENT_TYPES, teamEventCodec } from "../domain/teams/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/** Teams and their members; team_members answers "a user's teams" as fast as "a team's members". */
export const teamsProjection: Projection = {
  name: "teams",
  version: 1,
  tables: ["teams", "team_members"],
  schema: `
    CREATE TABLE IF NOT EXISTS teams (
      id TEXT PRIMARY KEY,
      organization_id TEXT NOT NULL,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revision INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS teams_by_organization ON teams (organization_id, name_key, id);
    CREATE TABLE IF NOT EXISTS team_members (
      team_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      organization_id TEXT NOT NULL,
      added_at TEXT NOT NULL,
      PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX IF NOT EXISTS team_members_by_user ON team_members (user_id, team_id);`,
  handles: new Set<string>(TEAM_EVENT_TYPES),
  apply(db, recorded) {
    const event = teamEventCodec.decode(recorded);
    const teamId = event.data.teamId;
    const row = prepared(db, "SELECT organization_id, revision FROM teams WHERE id = ?").get(teamId) as
      | { organization_id: string; revision: number | bigint }
      | undefined;
    if (row && BigInt(row.revision) >= recorded.revision) return;
    const bump = () => prepared(db, "UPDATE teams SET revision = ? WHERE id = ?").run(recorded.revision, teamId);
    switch (event.type) {
      case "TeamCreated":
        prepared(
          db,
          `INSERT INTO teams (id, organization_id, name, name_key, created_at, revision)
           VALUES (@teamId, @organizationId, @name, @nameKey, @createdAt, @revision) ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, nameKey: event.data.name.toLowerCase(), revision: recorded.revision });
        return;
      case "TeamRenamed":
        prepared(db, "UPDATE teams SET name = ?, name_key = ? WHERE id = ?").run(event.data.name, event.data.name.toLowerCase(), teamId);
        return void bump();
      case "TeamMemberAdded":
        if (!row) return;
        prepared(
          db,
          `INSERT INTO team_members (team_id, user_id, organization_id, added_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        ).run(teamId, event.data.userId, row.organization_id, event.data.addedAt);
        return void bump();
      case "TeamMemberRemoved":
        prepared(db, "DELETE FROM team_members WHERE team_id = ? AND user_id = ?").run(teamId, event.data.userId);
        return void bump();
    }
  },
};
