import { AUTHORIZATION, type Permission } from "./authorization.js";

const KIND_ORDER: Permission["kind"][] = ["query", "mutation", "subscription", "field"];

function who(permission: Permission): string {
  if (permission.public) return "anyone (no token)";
  const roles = permission.roles === "ANY_MEMBER" ? "every member" : (permission.roles ?? []).join(", ");
  const relation =
    permission.relation === "SESSION_ASSIGNEE" ? " or the session's assignee" : permission.relation === "SELF" ? " or the user themselves" : "";
  return `${roles}${relation}`;
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
