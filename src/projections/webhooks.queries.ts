import type Database from "better-sqlite3";
import { prepared } from "./read-model-db.js";

export interface WebhookRecord {
  id: string;
  organizationId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  /** Only the delivery runner reads it; the API never returns it after registration. */
  secret: string;
  enabled: boolean;
  deletedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  id: string;
  organization_id: string;
  url: string;
  event_types: string;
  description: string | null;
  secret: string;
  enabled: number;
  deleted_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
};

export class WebhookQueries {
  constructor(private readonly db: Database.Database) {}

  byId(id: string): WebhookRecord | null {
    const row = prepared(this.db, "SELECT * FROM webhooks WHERE id = ?").get(id) as Row | undefined;
    return row ? toWebhook(row) : null;
  }

  /** The organization's webhooks that are not deleted, oldest first. */
  list(organizationId: string): WebhookRecord[] {
    const rows = prepared(
      this.db,
      "SELECT * FROM webhooks WHERE organization_id = ? AND deleted_at IS NULL ORDER BY created_at, id",
    ).all(organizationId) as Row[];
    return rows.map(toWebhook);
  }

  /** Enabled webhooks of the organization that asked for this event type. */
  subscribedTo(organizationId: string, eventType: string): WebhookRecord[] {
    const rows = prepared(
      this.db,
      `SELECT * FROM webhooks WHERE organization_id = ? AND deleted_at IS NULL AND enabled = 1
         AND EXISTS (SELECT 1 FROM json_each(webhooks.event_types) WHERE value = ?)
       ORDER BY created_at, id`,
    ).all(organizationId, eventType) as Row[];
    return rows.map(toWebhook);
  }
}

function toWebhook(row: Row): WebhookRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    secret: row.secret,
    enabled: row.enabled === 1,
    deletedAt: row.deleted_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
