import type { OrganizationEvent } from "../domain/organizations/organization.js";
import type { UserEvent } from "../domain/users/user.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

export const organizationsProjection: Projection = {
  name: "organizations",
  tables: ["organizations"],
  handles: new Set(["OrganizationCreated"]),
  apply(db, recorded) {
    const event = { type: recorded.type, data: recorded.data } as OrganizationEvent;
    switch (event.type) {
      case "OrganizationCreated":
        prepared(db, 
          `INSERT INTO organizations (id, name, timezone, currency, created_at, revision)
           VALUES (@organizationId, @name, @timezone, @currency, @createdAt, @revision)
           ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, revision: recorded.revision });
    }
  },
};

export const usersProjection: Projection = {
  name: "users",
  tables: ["users"],
  handles: new Set(["UserRegistered"]),
  apply(db, recorded) {
    const event = { type: recorded.type, data: recorded.data } as UserEvent;
    switch (event.type) {
      case "UserRegistered":
        prepared(db, 
          `INSERT INTO users (id, organization_id, email, display_name, roles, password_hash, created_at, revision)
           VALUES (@userId, @organizationId, @email, @displayName, @roles, @passwordHash, @registeredAt, @revision)
           ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, roles: JSON.stringify(event.data.roles), revision: recorded.revision });
    }
  },
};
