/**
 * The `sessions(filter, orderBy, first, after)` connection over real HTTP: every filter,
 * every ordering, cursor pagination, tenant isolation, schedules shown in the organization's
 * time zone (across DST changes) and read-your-writes right after each mutation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../support/test-clock.js";
import { type Member, type TestServer, addMember, createOrganization, ok, startTestServer } from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;
type Key = "alpha" | "beta" | "gamma" | "delta" | "epsilon" | "zeta" | "eta" | "theta";

let test: TestServer;
let orgA: Org;
/** A second tenant, in America/New_York. */
let orgB: Org;
/** A tenant for time zone and read-your-writes checks (Europe/Brussels), so orgA's data set stays fixed. */
let orgC: Org;
const ids = {} as Record<Key, string>;
/** orgA's second possible assignee (a real MANAGER of orgA), so the assignee filter tells two users apart. */
let manager: Member;
/** orgA's trainers and learner team: sessions may only name people and teams of their organization. */
let trainer1: Member;
let trainer2: Member;
let teamId: string;
/** An id that names nobody: filtering on it finds nothing. */
const UNKNOWN_USER = "00000000-0000-4000-8000-00000000dead";

const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id revision } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id revision } }`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) {
  id revision schedule { startsAt endsAt timezone startsAtLocal endsAtLocal durationMinutes attendanceConfirmationOpensAt } } }`;
const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id revision } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id revision } }`;
const CONFIRM = `mutation ($input: ConfirmSessionInput!) { confirmSession(input: $input) { id revision } }`;
const CANCEL = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { id revision } }`;

const SESSIONS = `query ($filter: SessionFilterInput, $orderBy: SessionOrderByInput, $first: Int!, $after: String) {
  sessions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name status statusReason mode category language assigneeId assignee { id email } revision
      format { __typename } schedule { startsAt endsAt timezone startsAtLocal endsAtLocal durationMinutes } } }
    nodes { id }
  }
}`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: Record<string, any> }[];
  nodes: { id: string }[];
}

async function list(
  token: string,
  args: { filter?: Record<string, unknown>; orderBy?: Record<string, unknown>; first?: number; after?: string } = {},
): Promise<Page> {
  const page = ok(await test.gql(SESSIONS, { first: 100, ...args }, token)).sessions as Page;
  expect(page.nodes.map((n) => n.id)).toEqual(page.edges.map((e) => e.node.id));
  return page;
}

/** Names (the `Key`s) of the sessions a query returns, in order. */
async function keys(args: Parameters<typeof list>[1], token = orgA.token): Promise<string[]> {
  const page = await list(token, args);
  expect(page.totalCount).toBe(page.edges.length);
  const byId = Object.fromEntries(Object.entries(ids).map(([key, id]) => [id, key]));
  return page.edges.map((edge) => byId[edge.node.id] ?? `foreign:${edge.node.name}`);
}

async function mutate(query: string, input: Record<string, unknown>, token = orgA.token) {
  const data = ok(await test.gql(query, { input }, token));
  return Object.values(data)[0] as Record<string, any>;
}

const FORMATS = {
  WEBINAR: () => ({ kind: "WEBINAR", link: "https://meet.example.com/room", trainerId: trainer1.userId }),
  CLASSROOM: () => ({ kind: "CLASSROOM", trainerId: trainer2.userId, place: "Room 4", address: "Rue Haute 1, 1000 Brussels" }),
  ONLINE: () => ({ kind: "ONLINE", courseId: "course-7" }),
} as const;

interface Spec {
  name: string;
  summary: string;
  mode?: "PRIVATE";
  format?: keyof typeof FORMATS;
  category: string;
  language: string;
  assignee?: "admin" | "manager";
  startsAt?: string;
  status: "DRAFT" | "LEAD" | "PLANNED" | "CONFIRMED" | "CANCELED";
}

/** Created in this order (CREATED), with names in another order (NAME) and starts in a third (START). */
const DATA: Record<Key, Spec> = {
  alpha: { name: "Alpha TypeScript workshop", summary: "Hands-on generics and narrowing", format: "WEBINAR", category: "dev", language: "en", assignee: "admin", startsAt: "2026-05-01T09:00:00Z", status: "PLANNED" },
  beta: { name: "Beta leadership coaching", summary: "Managing REMOTE teams with care", mode: "PRIVATE", format: "CLASSROOM", category: "management", language: "fr-BE", assignee: "manager", startsAt: "2026-06-01T08:00:00Z", status: "CONFIRMED" },
  gamma: { name: "Gamma Kotlin basics", summary: "From Java to Kotlin", format: "ONLINE", category: "dev", language: "nl", startsAt: "2026-04-01T07:00:00Z", status: "LEAD" },
  delta: { name: "delta data science", summary: "Pandas for analysts", category: "data", language: "en", status: "DRAFT" },
  epsilon: { name: "Epsilon security", summary: "Threat modelling", format: "WEBINAR", category: "security", language: "en", startsAt: "2026-07-01T12:00:00Z", status: "CANCELED" },
  zeta: { name: "Zeta onboarding day", summary: "Welcome new hires", format: "CLASSROOM", category: "hr", language: "en", assignee: "admin", startsAt: "2026-05-15T09:00:00Z", status: "DRAFT" },
  eta: { name: "Eta sales pitch", summary: "Closing deals", category: "sales", language: "fr-BE", status: "LEAD" },
  theta: { name: "Theta design sprint", summary: "Figma and TypeScript design tokens", format: "ONLINE", category: "design", language: "nl", assignee: "manager", startsAt: "2026-08-01T09:00:00Z", status: "PLANNED" },
};
const ALL = Object.keys(DATA) as Key[];
const CREATION_ORDER = ALL;
const NAME_ORDER: Key[] = ["alpha", "beta", "delta", "epsilon", "eta", "gamma", "theta", "zeta"];
const START_ORDER: Key[] = ["gamma", "alpha", "zeta", "beta", "epsilon", "theta"];
const UNSCHEDULED: Key[] = ["delta", "eta"];

async function createFromSpec(spec: Spec): Promise<string> {
  const audience =
    spec.mode === "PRIVATE" ? { mode: "PRIVATE", targetTeamIds: [teamId] } : { mode: "PUBLIC", minParticipants: 1, maxParticipants: 12 };
  const { id } = await mutate(CREATE, {
    name: spec.name,
    summary: spec.summary,
    mode: spec.mode ?? "PUBLIC",
    audience,
    status: spec.status === "LEAD" ? "LEAD" : "DRAFT",
  });
  await mutate(EDIT, {
    sessionId: id,
    category: spec.category,
    language: spec.language,
    ...(spec.assignee ? { assigneeId: spec.assignee === "admin" ? orgA.userId : manager.userId } : {}),
  });
  if (spec.startsAt) {
    const end = new Date(Date.parse(spec.startsAt) + 3 * 3600_000).toISOString();
    await mutate(SCHEDULE, { sessionId: id, startsAt: spec.startsAt, endsAt: end });
  }
  if (spec.format) await mutate(FORMAT, { sessionId: id, ...FORMATS[spec.format]() });
  if (["PLANNED", "CONFIRMED"].includes(spec.status)) await mutate(PLAN, { sessionId: id });
  if (spec.status === "CONFIRMED") await mutate(CONFIRM, { sessionId: id });
  if (spec.status === "CANCELED") await mutate(CANCEL, { sessionId: id, reason: "Not enough interest" });
  return id;
}

beforeAll(async () => {
  // The catalogue is set in 2026: this server's clock starts before it, when all of it lay ahead
  // (an ended session can no longer be planned).
  test = await startTestServer({}, { clock: new TestClock(new Date("2026-01-05T08:00:00Z")) });
  orgA = await createOrganization(test);
  orgB = await createOrganization(test, { timezone: "America/New_York", currency: "USD" });
  orgC = await createOrganization(test, { timezone: "Europe/Brussels" });
  manager = await addMember(test, orgA.token, ["MANAGER"]);
  trainer1 = await addMember(test, orgA.token, ["TRAINER"]);
  trainer2 = await addMember(test, orgA.token, ["TRAINER"]);
  teamId = ok(await test.gql(`mutation { createTeam(input: { name: "Sales team" }) { id } }`, {}, orgA.token)).createTeam.id;
  for (const key of ALL) ids[key] = await createFromSpec(DATA[key]);
});

afterAll(async () => {
  await test?.stop();
});

const sorted = (values: string[]) => [...values].sort();

describe("the data set", () => {
  it("holds 8 sessions in the expected statuses, formats and modes", async () => {
    const page = await list(orgA.token, { orderBy: { field: "CREATED", direction: "ASC" } });
    expect(page.totalCount).toBe(8);
    expect(page.edges.map((e) => e.node.id)).toEqual(CREATION_ORDER.map((k) => ids[k]));
    for (const [index, key] of CREATION_ORDER.entries()) {
      const node = page.edges[index]!.node;
      expect(node).toMatchObject({
        name: DATA[key].name,
        status: DATA[key].status,
        mode: DATA[key].mode ?? "PUBLIC",
        category: DATA[key].category,
        language: DATA[key].language,
      });
      expect(node.format?.__typename ?? null).toBe(DATA[key].format ? `${DATA[key].format![0]}${DATA[key].format!.slice(1).toLowerCase()}Format` : null);
      expect(node.schedule?.startsAt ?? null).toBe(DATA[key].startsAt ? new Date(DATA[key].startsAt!).toISOString() : null);
    }
  });
});

describe("filters", () => {
  it.each([
    { title: "status PLANNED", filter: { status: ["PLANNED"] }, expected: ["alpha", "theta"] },
    { title: "status DRAFT or LEAD", filter: { status: ["DRAFT", "LEAD"] }, expected: ["gamma", "delta", "zeta", "eta"] },
    { title: "status CONFIRMED", filter: { status: ["CONFIRMED"] }, expected: ["beta"] },
    { title: "status CANCELED", filter: { status: ["CANCELED"] }, expected: ["epsilon"] },
    { title: "mode PRIVATE", filter: { mode: ["PRIVATE"] }, expected: ["beta"] },
    { title: "mode PUBLIC", filter: { mode: ["PUBLIC"] }, expected: ALL.filter((k) => k !== "beta") },
    { title: "format WEBINAR", filter: { format: ["WEBINAR"] }, expected: ["alpha", "epsilon"] },
    { title: "format CLASSROOM or ONLINE", filter: { format: ["CLASSROOM", "ONLINE"] }, expected: ["beta", "gamma", "zeta", "theta"] },
    { title: "category dev", filter: { category: ["dev"] }, expected: ["alpha", "gamma"] },
    { title: "category dev or design", filter: { category: ["dev", "design"] }, expected: ["alpha", "gamma", "theta"] },
    { title: "category unknown", filter: { category: ["cooking"] }, expected: [] },
    { title: "language fr-BE", filter: { language: ["fr-BE"] }, expected: ["beta", "eta"] },
    { title: "language nl or en", filter: { language: ["nl", "en"] }, expected: ["alpha", "gamma", "delta", "epsilon", "zeta", "theta"] },
    { title: "assignee: the admin", filter: { assigneeId: ["<admin>"] }, expected: ["alpha", "zeta"] },
    { title: "assignee: the manager", filter: { assigneeId: ["<manager>"] }, expected: ["beta", "theta"] },
    { title: "assignee: the admin or the manager", filter: { assigneeId: ["<admin>", "<manager>"] }, expected: ["alpha", "beta", "zeta", "theta"] },
    { title: "assignee: an unknown user id", filter: { assigneeId: [UNKNOWN_USER] }, expected: [] },
    { title: "startsFrom (inclusive)", filter: { startsFrom: "2026-05-01T09:00:00Z" }, expected: ["alpha", "zeta", "beta", "epsilon", "theta"] },
    { title: "startsFrom with an offset", filter: { startsFrom: "2026-05-01T11:00:01+02:00" }, expected: ["zeta", "beta", "epsilon", "theta"] },
    { title: "startsBefore (exclusive)", filter: { startsBefore: "2026-05-01T09:00:00Z" }, expected: ["gamma"] },
    {
      title: "startsFrom and startsBefore",
      filter: { startsFrom: "2026-05-01T09:00:00Z", startsBefore: "2026-06-01T08:00:00Z" },
      expected: ["alpha", "zeta"],
    },
    { title: "search in the name", filter: { search: "kotlin" }, expected: ["gamma"] },
    { title: "search in the summary", filter: { search: "java" }, expected: ["gamma"] },
    { title: "search in name of one and summary of another", filter: { search: "typescript" }, expected: ["alpha", "theta"] },
    { title: "search is case-insensitive", filter: { search: "  TypeScript  " }, expected: ["alpha", "theta"] },
    { title: "search matches an upper-case summary", filter: { search: "remote" }, expected: ["beta"] },
    { title: "search with several words, any order", filter: { search: "teams Remote" }, expected: ["beta"] },
    { title: "search with words from the name and the summary", filter: { search: "beta care" }, expected: ["beta"] },
    { title: "search needs every word", filter: { search: "typescript kotlin" }, expected: [] },
    { title: "search matches inside words", filter: { search: "script" }, expected: ["alpha", "theta"] },
    { title: "search treats % literally", filter: { search: "%" }, expected: [] },
    { title: "search treats _ literally", filter: { search: "_" }, expected: [] },
    { title: "status and format together", filter: { status: ["PLANNED"], format: ["ONLINE"] }, expected: ["theta"] },
    { title: "status and search together", filter: { status: ["DRAFT"], search: "data" }, expected: ["delta"] },
    { title: "empty lists do not filter", filter: { status: [], category: [] }, expected: ALL },
  ])("$title", async ({ filter, expected }) => {
    const resolved = {
      ...filter,
      ...("assigneeId" in filter ? { assigneeId: filter.assigneeId!.map((id) => ({ "<admin>": orgA.userId, "<manager>": manager.userId })[id] ?? id) } : {}),
    };
    expect(sorted(await keys({ filter: resolved }))).toEqual(sorted(expected));
  });

  it("resolves the assignee to its user: the admin or the manager", async () => {
    const page = await list(orgA.token, { filter: { assigneeId: [orgA.userId, manager.userId] } });
    expect(page.totalCount).toBe(4);
    const seen = new Set<string>();
    for (const { node } of page.edges) {
      seen.add(node.assigneeId);
      if (node.assigneeId === orgA.userId) expect(node.assignee).toEqual({ id: orgA.userId, email: orgA.email });
      else expect(node).toMatchObject({ assigneeId: manager.userId, assignee: { id: manager.userId, email: manager.email } });
    }
    expect(seen).toEqual(new Set([orgA.userId, manager.userId]));
  });

  it("sessions without an assignee resolve it to null", async () => {
    const page = await list(orgA.token, {});
    const unassigned = page.edges.filter(({ node }) => node.assigneeId === null);
    expect(sorted(unassigned.map(({ node }) => node.name))).toEqual(
      sorted(ALL.filter((k) => !DATA[k].assignee).map((k) => DATA[k].name)),
    );
    for (const { node } of unassigned) expect(node.assignee).toBeNull();
  });
});

describe("ordering", () => {
  it("START ASC: by start, unscheduled sessions last", async () => {
    const result = await keys({ orderBy: { field: "START", direction: "ASC" } });
    expect(result.slice(0, 6)).toEqual(START_ORDER);
    expect(sorted(result.slice(6))).toEqual(sorted(UNSCHEDULED));
  });

  it("START is the default order (ASC)", async () => {
    const result = await keys({});
    expect(result.slice(0, 6)).toEqual(START_ORDER);
  });

  it("START DESC: scheduled sessions latest first", async () => {
    const result = await keys({ orderBy: { field: "START", direction: "DESC" } });
    expect(result).toHaveLength(8);
    expect(result.filter((k) => !UNSCHEDULED.includes(k as Key))).toEqual([...START_ORDER].reverse());
  });

  it("NAME ASC and DESC, case-insensitive", async () => {
    expect(await keys({ orderBy: { field: "NAME", direction: "ASC" } })).toEqual(NAME_ORDER);
    expect(await keys({ orderBy: { field: "NAME", direction: "DESC" } })).toEqual([...NAME_ORDER].reverse());
  });

  it("CREATED ASC and DESC", async () => {
    expect(await keys({ orderBy: { field: "CREATED", direction: "ASC" } })).toEqual(CREATION_ORDER);
    expect(await keys({ orderBy: { field: "CREATED", direction: "DESC" } })).toEqual([...CREATION_ORDER].reverse());
  });

  it("orders a filtered list", async () => {
    expect(await keys({ filter: { status: ["DRAFT", "LEAD"] }, orderBy: { field: "NAME", direction: "DESC" } })).toEqual([
      "zeta",
      "gamma",
      "eta",
      "delta",
    ]);
  });
});

describe("pagination", () => {
  /** Walks every page of `size`; checks page-level invariants on the way. */
  async function walk(size: number, args: { filter?: Record<string, unknown>; orderBy?: Record<string, unknown> }) {
    const seen: string[] = [];
    const pages: Page[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = await list(orgA.token, { ...args, first: size, after });
      pages.push(page);
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.edges.length).toBeLessThanOrEqual(size);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges).toHaveLength(size);
      after = page.pageInfo.endCursor!;
    }
    return { seen, pages };
  }

  it.each([
    { field: "START", direction: "ASC" },
    { field: "START", direction: "DESC" },
    { field: "NAME", direction: "ASC" },
    { field: "NAME", direction: "DESC" },
    { field: "CREATED", direction: "ASC" },
    { field: "CREATED", direction: "DESC" },
  ])("pages of 3 by $field $direction: every session once, in the same order as one page", async (orderBy) => {
    const whole = (await list(orgA.token, { orderBy })).edges.map((e) => e.node.id);
    const { seen, pages } = await walk(3, { orderBy });
    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 2]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.totalCount)).toEqual([8, 8, 8]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(whole);
    expect(sorted(seen)).toEqual(sorted(Object.values(ids)));
  });

  it("pages of 1 through a filtered list keep totalCount of the filter", async () => {
    const filter = { format: ["CLASSROOM", "ONLINE"] };
    const { seen, pages } = await walk(1, { filter, orderBy: { field: "NAME", direction: "ASC" } });
    expect(pages.map((p) => p.totalCount)).toEqual([4, 4, 4, 4]);
    expect(seen).toEqual(["beta", "gamma", "theta", "zeta"].map((k) => ids[k as Key]));
  });

  it("a page size equal to the total has no next page; default size is 20", async () => {
    const exact = await list(orgA.token, { first: 8 });
    expect(exact.edges).toHaveLength(8);
    expect(exact.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const byDefault = ok(await test.gql(`{ sessions { totalCount edges { cursor } } }`, {}, orgA.token)).sessions;
    expect(byDefault.edges).toHaveLength(8);
    expect(byDefault.totalCount).toBe(8);
  });

  it("a cursor taken from another ordering is refused, or continues right after its session", async () => {
    const byName = await list(orgA.token, { orderBy: { field: "NAME", direction: "ASC" }, first: 1 });
    expect(byName.edges[0]!.node.id).toBe(ids.alpha);
    const result = await test.gql(
      SESSIONS,
      { orderBy: { field: "START", direction: "ASC" }, first: 100, after: byName.pageInfo.endCursor },
      orgA.token,
    );
    if (result.errors?.length) {
      expect(result.errors[0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
      return;
    }
    // Never a silently wrong page: the sessions after alpha in START order.
    const byStart = (await list(orgA.token, { orderBy: { field: "START", direction: "ASC" } })).edges.map((e) => e.node.id);
    const page = result.data!.sessions as Page;
    expect(page.edges.map((e) => e.node.id)).toEqual(byStart.slice(byStart.indexOf(ids.alpha) + 1));
  });

  it("after the last cursor: an empty page with null cursors", async () => {
    const last = await list(orgA.token, { first: 8 });
    const beyond = await list(orgA.token, { first: 5, after: last.pageInfo.endCursor! });
    expect(beyond.edges).toEqual([]);
    expect(beyond.totalCount).toBe(8);
    expect(beyond.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });
});

describe("tenant isolation", () => {
  it("another organization sees none of the first organization's sessions", async () => {
    const empty = await list(orgB.token);
    expect(empty.totalCount).toBe(0);
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
    for (const filter of [{ search: "typescript" }, { status: ["PLANNED"] }, { assigneeId: [orgA.userId] }, { category: ["dev"] }]) {
      expect((await list(orgB.token, { filter })).totalCount).toBe(0);
    }
  });

  it("a cursor from another organization's list does not reveal its sessions", async () => {
    const cursor = (await list(orgA.token, { first: 1 })).pageInfo.endCursor!;
    const page = await list(orgB.token, { first: 10, after: cursor });
    expect(page.totalCount).toBe(0);
    expect(page.edges).toEqual([]);
  });

  it("each organization sees only its own sessions; schedules default to its own time zone", async () => {
    const { id } = await mutate(CREATE, { name: "New York TypeScript meetup" }, orgB.token);
    const { schedule } = await mutate(SCHEDULE, { sessionId: id, startsAt: "2026-12-01T14:00:00Z", endsAt: "2026-12-01T16:00:00Z" }, orgB.token);
    expect(schedule).toMatchObject({ timezone: "America/New_York", startsAtLocal: "2026-12-01T09:00:00-05:00", endsAtLocal: "2026-12-01T11:00:00-05:00" });

    const b = await list(orgB.token, { filter: { search: "typescript" } });
    expect(b.totalCount).toBe(1);
    expect(b.edges.map((e) => e.node.id)).toEqual([id]);
    const a = await list(orgA.token, { filter: { search: "typescript" } });
    expect(sorted(a.edges.map((e) => e.node.id))).toEqual(sorted([ids.alpha, ids.theta]));
    expect((await list(orgA.token)).totalCount).toBe(8);
  });
});

describe("schedules in the organization's time zone (Europe/Brussels)", () => {
  async function scheduled(name: string, startsAt: string, endsAt: string, timezone?: string) {
    const { id } = await mutate(CREATE, { name }, orgC.token);
    const returned = await mutate(SCHEDULE, { sessionId: id, startsAt, endsAt, attendanceConfirmationOffsetMinutes: 10, ...(timezone ? { timezone } : {}) }, orgC.token);
    const listed = await list(orgC.token, { filter: { search: name } });
    expect(listed.edges.map((e) => e.node.id)).toEqual([id]);
    // The mutation and the list show the same schedule.
    expect(listed.edges[0]!.node.schedule).toEqual({
      startsAt: returned.schedule.startsAt,
      endsAt: returned.schedule.endsAt,
      timezone: returned.schedule.timezone,
      startsAtLocal: returned.schedule.startsAtLocal,
      endsAtLocal: returned.schedule.endsAtLocal,
      durationMinutes: returned.schedule.durationMinutes,
    });
    return returned.schedule as Record<string, any>;
  }

  it("before the spring DST switch: UTC+1", async () => {
    const schedule = await scheduled("tz-spring-before", "2026-03-29T00:30:00Z", "2026-03-29T00:50:00Z");
    expect(schedule).toMatchObject({
      timezone: "Europe/Brussels",
      startsAt: "2026-03-29T00:30:00.000Z",
      startsAtLocal: "2026-03-29T01:30:00+01:00",
      endsAtLocal: "2026-03-29T01:50:00+01:00",
      durationMinutes: 20,
      attendanceConfirmationOpensAt: "2026-03-29T00:40:00.000Z",
    });
  });

  it("after the spring DST switch: UTC+2", async () => {
    const schedule = await scheduled("tz-spring-after", "2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z");
    expect(schedule).toMatchObject({
      timezone: "Europe/Brussels",
      startsAtLocal: "2026-03-29T03:30:00+02:00",
      endsAtLocal: "2026-03-29T04:30:00+02:00",
      durationMinutes: 60,
    });
  });

  it("across the spring switch: local times jump an hour, the duration is real time", async () => {
    const schedule = await scheduled("tz-spring-across", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z");
    expect(schedule).toMatchObject({ startsAtLocal: "2026-03-29T01:30:00+01:00", endsAtLocal: "2026-03-29T03:30:00+02:00", durationMinutes: 60 });
  });

  it("across the autumn switch: a 25-hour local day is 1440 minutes of real time", async () => {
    const schedule = await scheduled("tz-autumn-across", "2026-10-24T22:00:00Z", "2026-10-25T22:00:00Z");
    expect(schedule).toMatchObject({
      startsAtLocal: "2026-10-25T00:00:00+02:00",
      endsAtLocal: "2026-10-25T23:00:00+01:00",
      durationMinutes: 1440,
    });
  });

  it("an input with an offset is stored as the same instant", async () => {
    const schedule = await scheduled("tz-offset-input", "2026-07-01T10:00:00+02:00", "2026-07-01T12:30:00+02:00");
    expect(schedule).toMatchObject({ startsAt: "2026-07-01T08:00:00.000Z", endsAt: "2026-07-01T10:30:00.000Z", startsAtLocal: "2026-07-01T10:00:00+02:00", durationMinutes: 150 });
  });

  it("an explicit America/New_York time zone is kept", async () => {
    const schedule = await scheduled("tz-explicit-ny", "2026-03-29T00:30:00Z", "2026-03-29T02:00:00Z", "America/New_York");
    expect(schedule).toMatchObject({
      timezone: "America/New_York",
      startsAtLocal: "2026-03-28T20:30:00-04:00",
      endsAtLocal: "2026-03-28T22:00:00-04:00",
      durationMinutes: 90,
    });
  });
});

describe("search beyond ASCII", () => {
  it("finds accented words whatever their case", async () => {
    const { id } = await mutate(CREATE, { name: "ÉTÉ À BRUXELLES", summary: "Visite guidée du Mont des Arts" }, orgC.token);
    for (const search of ["été", "Été à", "GUIDÉE", "bruxelles été"]) {
      const page = await list(orgC.token, { filter: { search } });
      expect(page.edges.map((e) => e.node.id), search).toEqual([id]);
    }
  });
});

describe("read-your-writes: the list shows each change as soon as the mutation returns", () => {
  it("create, edit, schedule, format, plan, confirm, cancel", async () => {
    const token = orgC.token;
    const word = `ryw${Date.now()}`;
    /** The one session the filter finds, right now, with no waiting. */
    const only = async (filter: Record<string, unknown>) => {
      const page = await list(token, { filter });
      expect(page.totalCount).toBe(1);
      return page.edges[0]!.node;
    };

    const created = await mutate(
      CREATE,
      { name: `${word} first name`, audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 8 } },
      token,
    );
    const sessionId = created.id as string;
    expect(await only({ search: word })).toMatchObject({ id: sessionId, status: "DRAFT", revision: created.revision });

    const renamed = await mutate(EDIT, { sessionId, name: `${word} renamed`, summary: "now with a summary", category: `${word}-cat`, language: "de" }, token);
    expect(await only({ search: `${word} renamed summary` })).toMatchObject({ id: sessionId, revision: renamed.revision });
    expect((await list(token, { filter: { search: `${word} first` } })).totalCount).toBe(0);
    expect(await only({ category: [`${word}-cat`], language: ["de"] })).toMatchObject({ id: sessionId });

    const scheduled = await mutate(SCHEDULE, { sessionId, startsAt: "2031-01-01T09:00:00Z", endsAt: "2031-01-01T10:00:00Z" }, token);
    expect(await only({ startsFrom: "2031-01-01T00:00:00Z", search: word })).toMatchObject({ id: sessionId, revision: scheduled.revision });

    await mutate(FORMAT, { sessionId, ...FORMATS.ONLINE() }, token);
    expect(await only({ format: ["ONLINE"], search: word })).toMatchObject({ id: sessionId, format: { __typename: "OnlineFormat" } });

    await mutate(PLAN, { sessionId, reason: "Ready" }, token);
    expect(await only({ status: ["PLANNED"], search: word })).toMatchObject({ id: sessionId, statusReason: "Ready" });

    await mutate(CONFIRM, { sessionId }, token);
    expect(await only({ status: ["CONFIRMED"], search: word })).toMatchObject({ statusReason: "VALIDATED_BY_OWNER" });

    const canceled = await mutate(CANCEL, { sessionId, reason: "Venue flooded" }, token);
    expect(await only({ status: ["CANCELED"], search: word })).toMatchObject({ statusReason: "Venue flooded", revision: canceled.revision });
    expect((await list(token, { filter: { status: ["CONFIRMED"], search: word } })).totalCount).toBe(0);
  });
});
