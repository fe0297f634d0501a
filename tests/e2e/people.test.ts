/**
 * §0 people over real HTTP: who may create users and with which roles, self sign-up, e-mail
 * uniqueness per organization (case-insensitive, also under concurrency), editing users and
 * their roles (effective on the user's next request), deactivation (no sign-in, tokens stop,
 * history kept) and reactivation, the `users` directory (filters, order, pagination), what a
 * LEARNER may read about people, and the AUDITOR who reads everything and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;

const USER_FIELDS = "id email displayName roles status country isMember hasPassword";
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`;
const UPDATE_USER = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { ${USER_FIELDS} } }`;
const CHANGE_ROLES = `mutation ($input: ChangeUserRolesInput!) { changeUserRoles(input: $input) { id roles } }`;
const DEACTIVATE = `mutation ($input: DeactivateUserInput!) { deactivateUser(input: $input) { id status } }`;
const REACTIVATE = `mutation ($id: ID!) { reactivateUser(input: { userId: $id }) { id status } }`;
const USER = `query ($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;
const USERS = `query ($filter: UserFilterInput, $first: Int!, $after: String) {
  users(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id displayName } }
    nodes { id displayName email status roles isMember }
  }
}`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token refreshToken organization { id } user { id } } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { token refreshToken user { id email roles isMember status country } organization { id } }
}`;
const REFRESH = `mutation ($input: RefreshAccessTokenInput!) { refreshAccessToken(input: $input) { token } }`;
const ME = `{ me { id email roles status } }`;

let test: TestServer;
let admin: Org;
let manager: Member;
let employee: Member;
let trainer: Member;
let host: Member;
let learner: Member;
let auditor: Member;
let unique = 0;

const email = (label: string) => `${label}-${++unique}-${Date.now()}@people.test`;

async function createUser(token: string, input: Record<string, unknown>) {
  return test.gql(CREATE_USER, { input: { displayName: `Person ${++unique}`, ...input } }, token);
}

/** The users whose name or e-mail contains `search`, as the admin sees them. */
async function findUsers(search: string, token = admin.token) {
  return ok(await test.gql(USERS, { filter: { search }, first: 100 }, token)).users;
}

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  [manager, employee, trainer, host, learner, auditor] = await Promise.all(
    (["MANAGER", "EMPLOYEE", "TRAINER", "HOST", "LEARNER", "AUDITOR"] as const).map((role) => addMember(test, admin.token, [role])),
  );
});
afterAll(() => test.stop());

describe("§0 creating users", () => {
  it("an ADMIN creates a person with several roles, a country and membership; the e-mail is stored lower-cased", async () => {
    const address = email("Multi.Role");
    const created = ok(
      await createUser(admin.token, {
        email: address.toUpperCase(),
        displayName: "Morgane Multi",
        roles: ["TRAINER", "HOST", "LEARNER"],
        country: "BE",
        isMember: true,
        password: "correct horse battery 9",
      }),
    ).createUser;
    expect(created).toMatchObject({
      email: address.toLowerCase(),
      displayName: "Morgane Multi",
      status: "ACTIVE",
      country: "BE",
      isMember: true,
      hasPassword: true,
    });
    expect([...created.roles].sort()).toEqual(["HOST", "LEARNER", "TRAINER"]);
    expect(ok(await test.gql(USER, { id: created.id }, admin.token)).user).toEqual(created);

    // The password given works, whatever the casing of the e-mail typed at sign-in.
    const signedIn = ok(
      await test.gql(SIGN_IN, { input: { email: address.toUpperCase(), password: "correct horse battery 9" } }),
    ).signIn;
    expect(signedIn.user.id).toBe(created.id);
    const me = ok(await test.gql(ME, {}, signedIn.token)).me;
    expect(me.id).toBe(created.id);
  });

  it("a user created without a password cannot sign in until invited, and LEARNER is the default role", async () => {
    const address = email("nopassword");
    const created = ok(await createUser(admin.token, { email: address })).createUser;
    expect(created).toMatchObject({ roles: ["LEARNER"], isMember: false, country: null, hasPassword: false });
    const attempt = refused(await test.gql(SIGN_IN, { input: { email: address, password: "correct horse battery 2" } }));
    expect(attempt.code).toBe("UNAUTHENTICATED");
  });

  it.each([
    ["MANAGER", () => manager],
    ["EMPLOYEE", () => employee],
  ])("a %s creates LEARNERs only: other roles, ADMIN included, are FORBIDDEN and create nobody", async (_role, who) => {
    const token = who().token;
    const learnerEmail = email("by-staff");
    const created = ok(await createUser(token, { email: learnerEmail, roles: ["LEARNER"] })).createUser;
    expect(created.roles).toEqual(["LEARNER"]);
    expect(created.email).toBe(learnerEmail);

    for (const roles of [["ADMIN"], ["TRAINER"], ["MANAGER"], ["AUDITOR"], ["LEARNER", "HOST"]]) {
      const address = email("escalation");
      const denied = refused(await createUser(token, { email: address, roles }));
      expect(denied.code, `roles ${roles.join(",")}`).toBe("FORBIDDEN");
      expect((await findUsers(address)).totalCount).toBe(0);
    }
  });

  it.each([
    ["TRAINER", () => trainer],
    ["HOST", () => host],
    ["LEARNER", () => learner],
    ["AUDITOR", () => auditor],
  ])("a %s cannot create users (FORBIDDEN), not even LEARNERs", async (_role, who) => {
    const address = email("not-allowed");
    const denied = refused(await createUser(who().token, { email: address, roles: ["LEARNER"] }));
    expect(denied.code).toBe("FORBIDDEN");
    expect((await findUsers(address)).totalCount).toBe(0);
  });

  it("without a token, createUser is UNAUTHENTICATED", async () => {
    expect(refused(await test.gql(CREATE_USER, { input: { email: email("anon"), displayName: "Anon" } })).code).toBe(
      "UNAUTHENTICATED",
    );
  });
});

describe("§0 signing up alone", () => {
  it("signUp creates a LEARNER non-member in the organization named and returns tokens that work", async () => {
    const address = email("Self.Made");
    const payload = ok(
      await test.gql(SIGN_UP, {
        input: {
          organizationId: admin.organizationId,
          email: address,
          displayName: "Selma Self",
          password: "correct horse battery 3",
          country: "FR",
        },
      }),
    ).signUp;
    expect(payload.organization.id).toBe(admin.organizationId);
    expect(payload.user).toMatchObject({ email: address.toLowerCase(), roles: ["LEARNER"], isMember: false, status: "ACTIVE", country: "FR" });
    expect(ok(await test.gql(ME, {}, payload.token)).me).toMatchObject({ id: payload.user.id, roles: ["LEARNER"] });
    expect(ok(await test.gql(REFRESH, { input: { refreshToken: payload.refreshToken } })).refreshAccessToken.token).toBeTruthy();
    // Staff see the new learner in the organization's directory.
    const found = await findUsers(address);
    expect(found.nodes.map((u: { id: string }) => u.id)).toEqual([payload.user.id]);
  });

  it("signUp into an unknown organization is NOT_FOUND and creates nobody", async () => {
    const address = email("nowhere");
    const denied = refused(
      await test.gql(SIGN_UP, {
        input: { organizationId: "no-such-organization", email: address, displayName: "Nobody", password: "correct horse battery 3" },
      }),
    );
    expect(denied.code).toBe("NOT_FOUND");
    expect(refused(await test.gql(SIGN_IN, { input: { email: address, password: "correct horse battery 3" } })).code).toBe(
      "UNAUTHENTICATED",
    );
  });
});

describe("§0 e-mail addresses are unique per organization, compared case-insensitively", () => {
  it("a second user with the same e-mail in another casing is ALREADY_EXISTS (field email), through createUser and signUp", async () => {
    const address = email("taken");
    ok(await createUser(admin.token, { email: address }));
    const again = refused(await createUser(admin.token, { email: `  ${address.toUpperCase()} ` }));
    expect(again.code).toBe("ALREADY_EXISTS");
    expect(again.extensions.field).toBe("email");
    const signUp = refused(
      await test.gql(SIGN_UP, {
        input: { organizationId: admin.organizationId, email: address.toUpperCase(), displayName: "Dup", password: "correct horse battery 3" },
      }),
    );
    expect(signUp.code).toBe("ALREADY_EXISTS");
    expect((await findUsers(address)).totalCount).toBe(1);
  });

  it("the same e-mail may exist in two organizations; signIn then needs organizationId", async () => {
    const other = await createOrganization(test);
    const address = email("Twice");
    const password = "correct horse battery 4";
    const inA = ok(await createUser(admin.token, { email: address, password })).createUser;
    const inB = ok(await createUser(other.token, { email: address.toUpperCase(), password })).createUser;
    expect(inB.id).not.toBe(inA.id);
    expect(inB.email).toBe(inA.email);

    const ambiguous = refused(await test.gql(SIGN_IN, { input: { email: address, password } }));
    expect(ambiguous.code).toBe("BAD_USER_INPUT");
    expect(ambiguous.extensions.field).toBe("organizationId");

    for (const [org, user] of [
      [admin, inA],
      [other, inB],
    ] as const) {
      const signedIn = ok(await test.gql(SIGN_IN, { input: { email: address, password, organizationId: org.organizationId } })).signIn;
      expect(signedIn.organization.id).toBe(org.organizationId);
      expect(signedIn.user.id).toBe(user.id);
    }
  });

  it("10 concurrent createUser calls with one e-mail in different casings: exactly one succeeds, the rest are ALREADY_EXISTS", async () => {
    const address = email("race");
    const casings = Array.from({ length: 10 }, (_, i) =>
      [...address].map((c, j) => ((i >> j % 4) & 1 ? c.toUpperCase() : c)).join(""),
    );
    const results = await Promise.all(casings.map((variant) => createUser(admin.token, { email: variant })));
    const succeeded = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors).map((r) => refused(r));
    expect(succeeded).toHaveLength(1);
    expect(failed.map((f) => f.code)).toEqual(Array(9).fill("ALREADY_EXISTS"));
    const found = await findUsers(address);
    expect(found.totalCount).toBe(1);
    expect(found.nodes[0].id).toBe(succeeded[0]!.data!.createUser.id);
  });
});

describe("§0 updating users", () => {
  it("an ADMIN changes name, country and membership; omitted fields stay; null clears the country", async () => {
    const user = ok(await createUser(admin.token, { email: email("update"), country: "BE" })).createUser;
    const updated = ok(
      await test.gql(UPDATE_USER, { input: { userId: user.id, displayName: "Renamed Person", country: "NL", isMember: true } }, admin.token),
    ).updateUser;
    expect(updated).toMatchObject({ displayName: "Renamed Person", country: "NL", isMember: true });
    const cleared = ok(await test.gql(UPDATE_USER, { input: { userId: user.id, country: null } }, admin.token)).updateUser;
    expect(cleared).toMatchObject({ displayName: "Renamed Person", country: null, isMember: true });
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toMatchObject({ country: null, isMember: true });
  });

  it("a bad country is BAD_USER_INPUT and changes nothing", async () => {
    const user = ok(await createUser(admin.token, { email: email("badcountry"), country: "BE" })).createUser;
    const denied = refused(await test.gql(UPDATE_USER, { input: { userId: user.id, country: "XX" } }, admin.token));
    expect(denied.code).toBe("BAD_USER_INPUT");
    expect(denied.extensions.field).toBe("country");
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user.country).toBe("BE");
  });

  it("a LEARNER edits their own name and country, but not their membership nor anyone else", async () => {
    const self = await addMember(test, admin.token, ["LEARNER"]);
    const mine = ok(
      await test.gql(UPDATE_USER, { input: { userId: self.userId, displayName: "My New Name", country: "DE" } }, self.token),
    ).updateUser;
    expect(mine).toMatchObject({ displayName: "My New Name", country: "DE", isMember: false });

    const membership = refused(await test.gql(UPDATE_USER, { input: { userId: self.userId, isMember: true } }, self.token));
    expect(membership.code).toBe("FORBIDDEN");
    expect(ok(await test.gql(USER, { id: self.userId }, admin.token)).user.isMember).toBe(false);

    const other = refused(await test.gql(UPDATE_USER, { input: { userId: learner.userId, displayName: "Hacked" } }, self.token));
    expect(other.code).toBe("FORBIDDEN");
    expect(ok(await test.gql(USER, { id: learner.userId }, admin.token)).user.displayName).not.toBe("Hacked");
  });

  it("a MANAGER edits LEARNERs but not an ADMIN or other staff (FORBIDDEN)", async () => {
    const someone = ok(await createUser(admin.token, { email: email("managed") })).createUser;
    expect(
      ok(await test.gql(UPDATE_USER, { input: { userId: someone.id, isMember: true } }, manager.token)).updateUser.isMember,
    ).toBe(true);
    for (const target of [admin.userId, trainer.userId]) {
      const denied = refused(await test.gql(UPDATE_USER, { input: { userId: target, displayName: "Demoted" } }, manager.token));
      expect(denied.code).toBe("FORBIDDEN");
      expect(ok(await test.gql(USER, { id: target }, admin.token)).user.displayName).not.toBe("Demoted");
    }
  });
});

describe("§0 roles", () => {
  it("only an ADMIN changes roles; a MANAGER trying is FORBIDDEN", async () => {
    const target = ok(await createUser(admin.token, { email: email("roles") })).createUser;
    const denied = refused(await test.gql(CHANGE_ROLES, { input: { userId: target.id, roles: ["LEARNER", "HOST"] } }, manager.token));
    expect(denied.code).toBe("FORBIDDEN");
    // A MANAGER cannot promote themselves either.
    const self = refused(await test.gql(CHANGE_ROLES, { input: { userId: manager.userId, roles: ["ADMIN"] } }, manager.token));
    expect(self.code).toBe("FORBIDDEN");
    const changed = ok(await test.gql(CHANGE_ROLES, { input: { userId: target.id, roles: ["LEARNER", "HOST"] } }, admin.token));
    expect([...changed.changeUserRoles.roles].sort()).toEqual(["HOST", "LEARNER"]);
  });

  it("an empty list of roles is BAD_USER_INPUT (field roles)", async () => {
    const target = ok(await createUser(admin.token, { email: email("noroles") })).createUser;
    const denied = refused(await test.gql(CHANGE_ROLES, { input: { userId: target.id, roles: [] } }, admin.token));
    expect(denied.code).toBe("BAD_USER_INPUT");
    expect(denied.extensions.field).toBe("roles");
  });

  it("an ADMIN cannot remove their own ADMIN role (FORBIDDEN), but may add roles to it", async () => {
    const denied = refused(await test.gql(CHANGE_ROLES, { input: { userId: admin.userId, roles: ["MANAGER"] } }, admin.token));
    expect(denied.code).toBe("FORBIDDEN");
    expect(ok(await test.gql(ME, {}, admin.token)).me.roles).toEqual(["ADMIN"]);
    const added = ok(await test.gql(CHANGE_ROLES, { input: { userId: admin.userId, roles: ["ADMIN", "TRAINER"] } }, admin.token));
    expect([...added.changeUserRoles.roles].sort()).toEqual(["ADMIN", "TRAINER"]);
    ok(await test.gql(CHANGE_ROLES, { input: { userId: admin.userId, roles: ["ADMIN"] } }, admin.token));
  });

  it("a role change takes effect on the user's next request, with the same access token", async () => {
    const person = await addMember(test, admin.token, ["LEARNER"]);
    expect(refused(await test.gql(USERS, { first: 5 }, person.token)).code).toBe("FORBIDDEN");

    ok(await test.gql(CHANGE_ROLES, { input: { userId: person.userId, roles: ["LEARNER", "MANAGER"] } }, admin.token));
    expect(ok(await test.gql(USERS, { first: 5 }, person.token)).users.totalCount).toBeGreaterThan(1);
    expect([...ok(await test.gql(ME, {}, person.token)).me.roles].sort()).toEqual(["LEARNER", "MANAGER"]);

    ok(await test.gql(CHANGE_ROLES, { input: { userId: person.userId, roles: ["LEARNER"] } }, admin.token));
    expect(refused(await test.gql(USERS, { first: 5 }, person.token)).code).toBe("FORBIDDEN");
  });
});

describe("§0 deactivating users: they cannot sign in, their history is kept", () => {
  it("a deactivated user cannot sign in (same answer as a wrong password) and their tokens stop working", async () => {
    const person = await addMember(test, admin.token, ["LEARNER"], { displayName: "Dana Deactivated" });
    const session = ok(await test.gql(SIGN_IN, { input: { email: person.email, password: person.password } })).signIn;

    const deactivated = ok(await test.gql(DEACTIVATE, { input: { userId: person.userId, reason: "left the company" } }, admin.token));
    expect(deactivated.deactivateUser.status).toBe("DEACTIVATED");

    const wrongPassword = refused(await test.gql(SIGN_IN, { input: { email: learner.email, password: "not the password 1" } }));
    const blocked = refused(await test.gql(SIGN_IN, { input: { email: person.email, password: person.password } }));
    expect(blocked.code).toBe("UNAUTHENTICATED");
    expect(blocked.message).toBe(wrongPassword.message);

    for (const token of [person.token, session.token]) {
      const stale = refused(await test.gql(ME, {}, token));
      expect(stale.code).toBe("UNAUTHENTICATED");
      expect(stale.message).toMatch(/deactivated/);
    }
    expect(refused(await test.gql(REFRESH, { input: { refreshToken: session.refreshToken } })).code).toBe("UNAUTHENTICATED");

    // History kept: still in the directory and readable by id.
    const listed = ok(await test.gql(USERS, { filter: { status: ["DEACTIVATED"], search: "Dana Deactivated" }, first: 10 }, admin.token));
    expect(listed.users.nodes.map((u: { id: string }) => u.id)).toEqual([person.userId]);
    expect(ok(await test.gql(USER, { id: person.userId }, admin.token)).user).toMatchObject({
      email: person.email,
      displayName: "Dana Deactivated",
      status: "DEACTIVATED",
    });
  });

  it("reactivateUser lets them sign in again", async () => {
    const person = await addMember(test, admin.token, ["TRAINER"]);
    ok(await test.gql(DEACTIVATE, { input: { userId: person.userId } }, admin.token));
    expect(refused(await test.gql(SIGN_IN, { input: { email: person.email, password: person.password } })).code).toBe(
      "UNAUTHENTICATED",
    );
    expect(ok(await test.gql(REACTIVATE, { id: person.userId }, admin.token)).reactivateUser.status).toBe("ACTIVE");
    const signedIn = ok(await test.gql(SIGN_IN, { input: { email: person.email, password: person.password } })).signIn;
    expect(ok(await test.gql(ME, {}, signedIn.token)).me).toMatchObject({ id: person.userId, status: "ACTIVE" });
  });

  it("an ADMIN cannot deactivate themselves; only an ADMIN deactivates or reactivates (FORBIDDEN)", async () => {
    const self = refused(await test.gql(DEACTIVATE, { input: { userId: admin.userId } }, admin.token));
    expect(self.code).toBe("FORBIDDEN");
    expect(ok(await test.gql(ME, {}, admin.token)).me.status).toBe("ACTIVE");

    const target = ok(await createUser(admin.token, { email: email("protected") })).createUser;
    for (const who of [manager, employee, auditor, learner]) {
      expect(refused(await test.gql(DEACTIVATE, { input: { userId: target.id } }, who.token)).code).toBe("FORBIDDEN");
    }
    expect(ok(await test.gql(USER, { id: target.id }, admin.token)).user.status).toBe("ACTIVE");
    ok(await test.gql(DEACTIVATE, { input: { userId: target.id } }, admin.token));
    expect(refused(await test.gql(REACTIVATE, { id: target.id }, manager.token)).code).toBe("FORBIDDEN");
    expect(ok(await test.gql(USER, { id: target.id }, admin.token)).user.status).toBe("DEACTIVATED");
  });
});

describe("§0 the users directory", () => {
  /** A fresh organization so the expected lists are exact. */
  let dir: Org;
  let teamId: string;
  const people: Record<string, string> = {};

  beforeAll(async () => {
    dir = await createOrganization(test, { adminEmail: `zed.admin-${Date.now()}@directory.test` });
    ok(await test.gql(UPDATE_USER, { input: { userId: dir.userId, displayName: "Zed Admin" } }, dir.token));
    const specs = [
      { key: "alice", displayName: "Alice Martin", email: "alice@north.test", roles: ["LEARNER"], isMember: true },
      { key: "bob", displayName: "bob Durand", email: "bob@south.test", roles: ["TRAINER"], isMember: false },
      { key: "chloe", displayName: "Chloe Martinez", email: "chloe@north.test", roles: ["LEARNER"], isMember: false },
      { key: "david", displayName: "David Leroy", email: "dleroy@south.test", roles: ["MANAGER", "LEARNER"], isMember: true },
      { key: "emma", displayName: "Emma Moreau", email: "emma@north.test", roles: ["AUDITOR"], isMember: false },
      { key: "felix", displayName: "Felix Petit", email: "felix@south.test", roles: ["LEARNER"], isMember: false },
    ];
    for (const { key, ...input } of specs) people[key] = ok(await createUser(dir.token, input)).createUser.id;
    people.zed = dir.userId;
    ok(await test.gql(DEACTIVATE, { input: { userId: people.felix } }, dir.token));
    teamId = ok(
      await test.gql(`mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`, {
        input: { name: "Northerners", memberIds: [people.alice, people.emma] },
      }, dir.token),
    ).createTeam.id;
  });

  async function names(filter: Record<string, unknown>): Promise<string[]> {
    const users = ok(await test.gql(USERS, { filter, first: 100 }, dir.token)).users;
    expect(users.totalCount).toBe(users.nodes.length);
    const byId = Object.fromEntries(Object.entries(people).map(([key, id]) => [id, key]));
    return users.nodes.map((u: { id: string }) => byId[u.id] ?? `unexpected:${u.id}`);
  }

  it("lists everyone ordered by name, case-insensitively", async () => {
    expect(await names({})).toEqual(["alice", "bob", "chloe", "david", "emma", "felix", "zed"]);
  });

  it("filters by role (any of), status, membership and team", async () => {
    expect(await names({ role: ["LEARNER"] })).toEqual(["alice", "chloe", "david", "felix"]);
    expect(await names({ role: ["TRAINER", "AUDITOR"] })).toEqual(["bob", "emma"]);
    expect(await names({ role: ["ADMIN"] })).toEqual(["zed"]);
    expect(await names({ status: ["DEACTIVATED"] })).toEqual(["felix"]);
    expect(await names({ status: ["ACTIVE"] })).toEqual(["alice", "bob", "chloe", "david", "emma", "zed"]);
    expect(await names({ isMember: true })).toEqual(["alice", "david"]);
    expect(await names({ isMember: false })).toEqual(["bob", "chloe", "emma", "felix", "zed"]);
    expect(await names({ teamId })).toEqual(["alice", "emma"]);
    expect(await names({ teamId, role: ["LEARNER"] })).toEqual(["alice"]);
    expect(await names({ role: ["LEARNER"], isMember: false, status: ["ACTIVE"] })).toEqual(["chloe"]);
  });

  it("searches words in the name and the e-mail", async () => {
    expect(await names({ search: "martin" })).toEqual(["alice", "chloe"]);
    expect(await names({ search: "MARTINEZ" })).toEqual(["chloe"]);
    expect(await names({ search: "south.test" })).toEqual(["bob", "david", "felix"]);
    expect(await names({ search: "dleroy" })).toEqual(["david"]);
    expect(await names({ search: "north martin" })).toEqual(["alice", "chloe"]);
    expect(await names({ search: "nobody-like-this" })).toEqual([]);
    // LIKE wildcards are searched literally.
    expect(await names({ search: "%" })).toEqual([]);
  });

  it("paginates with first/after, totalCount and pageInfo", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = ok(await test.gql(USERS, { first: 3, after }, dir.token)).users;
      pages += 1;
      expect(page.totalCount).toBe(7);
      expect(page.nodes.length).toBeLessThanOrEqual(3);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      seen.push(...page.nodes.map((u: { displayName: string }) => u.displayName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(["Alice Martin", "bob Durand", "Chloe Martinez", "David Leroy", "Emma Moreau", "Felix Petit", "Zed Admin"]);
    // Pagination keeps the filter.
    const first = ok(await test.gql(USERS, { filter: { role: ["LEARNER"] }, first: 2 }, dir.token)).users;
    expect(first.totalCount).toBe(4);
    const second = ok(await test.gql(USERS, { filter: { role: ["LEARNER"] }, first: 2, after: first.pageInfo.endCursor }, dir.token)).users;
    expect(second.nodes.map((u: { displayName: string }) => u.displayName)).toEqual(["David Leroy", "Felix Petit"]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("a page size out of range is BAD_USER_INPUT (field first)", async () => {
    for (const first of [0, 101]) {
      const denied = refused(await test.gql(USERS, { first }, dir.token));
      expect(denied.code).toBe("BAD_USER_INPUT");
      expect(denied.extensions.field).toBe("first");
    }
  });

  it("another organization's directory shows none of these people", async () => {
    const seen = ok(await test.gql(USERS, { filter: { search: "north.test" }, first: 100 }, admin.token)).users;
    expect(seen.totalCount).toBe(0);
    expect(refused(await test.gql(USER, { id: people.alice }, admin.token)).code).toBe("NOT_FOUND");
  });
});

describe("§0 what each role reads about people", () => {
  it("a LEARNER cannot list users and reads only their own user(id)", async () => {
    expect(refused(await test.gql(USERS, { first: 10 }, learner.token)).code).toBe("FORBIDDEN");
    expect(ok(await test.gql(USER, { id: learner.userId }, learner.token)).user.id).toBe(learner.userId);
    for (const other of [admin.userId, trainer.userId]) {
      expect(refused(await test.gql(USER, { id: other }, learner.token)).code).toBe("FORBIDDEN");
    }
  });

  it.each(["ADMIN", "MANAGER", "EMPLOYEE", "TRAINER", "HOST", "LEARNER", "AUDITOR"])("`me` works for a %s", async (role) => {
    const who = { ADMIN: admin, MANAGER: manager, EMPLOYEE: employee, TRAINER: trainer, HOST: host, LEARNER: learner, AUDITOR: auditor }[
      role
    ]!;
    const me = ok(await test.gql(ME, {}, who.token)).me;
    expect(me.id).toBe(who.userId);
    expect(me.roles).toContain(role);
  });

  it("every staff role reads the directory", async () => {
    for (const who of [manager, employee, trainer, host, auditor]) {
      const users = ok(await test.gql(USERS, { first: 100 }, who.token)).users;
      expect(users.nodes.map((u: { id: string }) => u.id)).toContain(admin.userId);
    }
  });

  it("an AUDITOR reads users, teams and API keys, and every change it tries is FORBIDDEN", async () => {
    ok(await test.gql(USERS, { first: 5 }, auditor.token));
    ok(await test.gql(USER, { id: admin.userId }, auditor.token));
    ok(await test.gql(`{ teams(first: 5) { totalCount nodes { id members { nodes { id } } } } }`, {}, auditor.token));
    ok(await test.gql(`{ apiKeys { id name } }`, {}, auditor.token));
    ok(await test.gql(`{ organization { id settings { timezone } } }`, {}, auditor.token));

    const before = ok(await test.gql(`{ organization { settings { reminderLeadTimeHours } } }`, {}, admin.token)).organization;
    const attempts: [string, string, Record<string, unknown>][] = [
      ["createUser", CREATE_USER, { input: { email: email("audited"), displayName: "Audited", roles: ["LEARNER"] } }],
      ["createTeam", `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`, { input: { name: "Audit team" } }],
      [
        "updateOrganizationSettings",
        `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { id } }`,
        { input: { reminderLeadTimeHours: before.settings.reminderLeadTimeHours + 1 } },
      ],
      ["createSession", `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`, { input: { name: "Audit session" } }],
      ["updateUser", UPDATE_USER, { input: { userId: learner.userId, displayName: "Audited name" } }],
      ["changeUserRoles", CHANGE_ROLES, { input: { userId: learner.userId, roles: ["LEARNER", "TRAINER"] } }],
      ["deactivateUser", DEACTIVATE, { input: { userId: learner.userId } }],
      ["createApiKey", `mutation { createApiKey(input: { name: "audit", scopes: [SESSIONS_READ] }) { secret } }`, {}],
    ];
    for (const [name, query, variables] of attempts) {
      expect(refused(await test.gql(query, variables, auditor.token)).code, name).toBe("FORBIDDEN");
    }
    expect(ok(await test.gql(`{ organization { settings { reminderLeadTimeHours } } }`, {}, admin.token)).organization).toEqual(before);
    expect(ok(await test.gql(`{ teams(search: "Audit team") { totalCount } }`, {}, admin.token)).teams.totalCount).toBe(0);
    expect(ok(await test.gql(`{ sessions(filter: { search: "Audit session" }) { totalCount } }`, {}, admin.token)).sessions.totalCount).toBe(0);
    expect(ok(await test.gql(USER, { id: learner.userId }, admin.token)).user).toMatchObject({ roles: ["LEARNER"], status: "ACTIVE" });
  });
});
