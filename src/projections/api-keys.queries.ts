import type Database from "better-sqlite3";
import type { ApiKeyScope } from "../domain/access/actor.js";
import { prepared } from "./read-model-db.js";

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  name: string;
  scopes: ApiKeyScope[];
  secretHash: string;
  prefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

type Row = {
  id: string;
  organization_id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  prefix: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
};

export class ApiKeyQueries {
  constructor(private readonly db: Database.Database) {}

  /** Any organization's: authentication finds the key before it knows the tenant. */
  byId(id: string): ApiKeyRecord | null {
    const row = prepared(this.db, "SELECT * FROM api_keys WHERE id = ?").get(id) as Row | undefined;
    return row ? toApiKey(row) : null;
  }

  list(organizationId: string): ApiKeyRecord[] {
    const rows = prepared(this.db, "SELECT * FROM api_keys WHERE organization_id = ? ORDER BY created_at, id").all(
      organizationId,
    ) as Row[];
    return rows.map(toApiKey);
  }
}

function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiKeyScope[],
    secretHash: row.secret_hash,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
