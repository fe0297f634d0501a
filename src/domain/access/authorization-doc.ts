import { AUTHORIZATION, type Permission, type Relation } from "./authorization.js";

const RELATION_WORDS: Record<Relation, string> = {
  SESSION_ASSIGNEE: "the session's assignee",
  SESSION_TRAINER: "the session's trainer or host",
  SELF: "the user themselves",
};

const KIND_ORDER: Permission["kind"][] = ["query", "mutation", "subscription", "field", "input"];

function who(permission: Permission): string {
  if (permission.public) return "anyone (no token)";
  const roles = permission.roles === "ANY_MEMBER" ? "every member" : (permission.roles ?? []).join(", ");
  const relations = (permission.relations ?? []).map((relation) => RELATION_WORDS[relation]);
  return [roles, ...relations].join(" or ");
}

/** The README's authorization table, generated from AUTHORIZATION (a test keeps them equal). */
export function authorizationTableMarkdown(): string {
  const rows = Object.entries(AUTHORIZATION as Record<string, Permission>)
    .sort(([a, pa], [b, pb]) => KIND_ORDER.indexOf(pa.kind) - KIND_ORDER.indexOf(pb.kind) || a.localeCompare(b))
    .map(([operation, permission]) => {
      const scopes = permission.public ? "—" : permission.scopes?.map((scope) => `\`${scope}\``).join(", ") ?? "none";
      return `| \`${operation}\` | ${permission.kind} | ${who(permission)} | ${scopes} | ${permission.note ?? ""} |`;
    });
  return ["| Operation | Kind | Who may (roles) | API-key scopes | Also |", "|---|---|---|---|---|", ...rows].join("\n");
}
