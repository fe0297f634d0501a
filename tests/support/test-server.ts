import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino, type Logger } from "pino";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { MemoryMailer, type MailMessage } from "../../src/adapters/mail/mailer.js";
import type { HostResolver } from "../../src/adapters/webhooks/webhook-targets.js";
import { createApp, type App } from "../../src/app.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";
import { loadConfig } from "../../src/config.js";
import { startServer, type RunningServer } from "../../src/graphql/server.js";
import { TestClock } from "./test-clock.js";

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  app: App;
  /** The server's clock: starts at TEST_NOW (whatever today is); move it instead of waiting. */
  clock: TestClock;
  /** E-mails the server sent (invitations…). */
  outbox: MailMessage[];
  /** SQL statements run on the read models, when started with { recordSql: true }. */
  sql: string[];
  server: RunningServer;
  dataDir: string;
  url: string;
  /** POSTs a GraphQL operation over real HTTP. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client over a real WebSocket. */
  ws(token?: string): Client;
  stop(): Promise<void>;
}

/** Starts the real server (embedded SQLite stores in a fresh temp dir) on a free port. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    recordSql?: boolean;
    clock?: TestClock;
    webhookResolver?: HostResolver;
    logger?: Logger;
    projectorRestart?: { initialDelayMs: number; maxDelayMs: number };
    /** The event store (the embedded one under DATA_DIR unless given). */
    store?: EventStore;
  } = {},
): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "sessions-e2e-"));
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    NODE_ENV: "test",
    // Every test signs in from 127.0.0.1: the per-IP limit is tested on its own.
    SIGN_IN_MAX_ATTEMPTS_PER_IP: "100000",
    // Webhook receivers listen on this machine; tests of the refusal pass WEBHOOK_ALLOWED_HOSTS: "".
    WEBHOOK_ALLOWED_HOSTS: "localhost,127.0.0.1",
    ...env,
  });
  const mailer = new MemoryMailer();
  const sql: string[] = [];
  const clock = options.clock ?? new TestClock();
  const app = createApp(config, {
    logger: options.logger ?? pino({ level: "silent" }),
    mailer,
    clock,
    ...(options.recordSql ? { onReadModelStatement: (statement: string) => sql.push(statement) } : {}),
    ...(options.webhookResolver ? { webhookResolver: options.webhookResolver } : {}),
    ...(options.projectorRestart ? { projectorRestart: options.projectorRestart } : {}),
    ...(options.store ? { store: options.store } : {}),
  });
  const server = await startServer(app);
  const clients: Client[] = [];
  return {
    app,
    clock,
    outbox: mailer.outbox,
    sql,
    server,
    dataDir,
    url: server.url,
    async gql(query, variables, token) {
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    ws(token) {
      const client = createClient({
        url: server.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.dispose()));
      await server.close();
      await app.close();
    },
  };
}

let counter = 0;

/** Creates an organization through the API and returns its admin's token and ids. */
export async function createOrganization(
  test: TestServer,
  overrides: Partial<{ name: string; timezone: string; currency: string; adminEmail: string; password: string }> = {},
): Promise<{ token: string; userId: string; organizationId: string; email: string; password: string }> {
  counter += 1;
  const input = {
    name: `Academy ${counter}`,
    timezone: "Europe/Brussels",
    currency: "EUR",
    adminEmail: `admin${counter}-${Date.now()}@academy.test`,
    password: "correct horse battery 1",
    ...overrides,
  };
  const result = await test.gql(
    `mutation ($input: CreateOrganizationInput!) {
      createOrganization(input: $input) { token user { id } organization { id } }
    }`,
    { input },
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const payload = result.data!.createOrganization;
  return {
    token: payload.token,
    userId: payload.user.id,
    organizationId: payload.organization.id,
    email: input.adminEmail.toLowerCase(),
    password: input.password,
  };
}

export interface Member {
  token: string;
  userId: string;
  email: string;
  password: string;
}

/** Adds a user with these roles through the API (as `adminToken`) and signs them in. */
export async function addMember(
  test: TestServer,
  adminToken: string,
  roles: string[],
  overrides: Partial<{ email: string; displayName: string; password: string; teamIds: string[]; country: string }> = {},
): Promise<Member> {
  counter += 1;
  const email = overrides.email ?? `${roles.join("-").toLowerCase()}${counter}-${Date.now()}@people.test`;
  const password = overrides.password ?? "correct horse battery 2";
  const created = await test.gql(
    `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    {
      input: {
        email,
        displayName: overrides.displayName ?? `${roles[0]} ${counter}`,
        roles,
        password,
        ...(overrides.teamIds ? { teamIds: overrides.teamIds } : {}),
        ...(overrides.country ? { country: overrides.country } : {}),
      },
    },
    adminToken,
  );
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const userId = created.data!.createUser.id as string;
  const me = await test.gql(`{ organization { id } }`, {}, adminToken);
  const signedIn = await test.gql(
    `mutation ($input: SignInInput!) { signIn(input: $input) { token } }`,
    { input: { email, password, organizationId: me.data!.organization.id } },
  );
  if (signedIn.errors) throw new Error(JSON.stringify(signedIn.errors));
  return { token: signedIn.data!.signIn.token, userId, email: email.toLowerCase(), password };
}

/** Fails the test with the GraphQL errors when there are any; returns data. */
export function ok<T>(result: GraphQLResponse<T>): T {
  if (result.errors?.length) throw new Error(`Unexpected GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data as T;
}

/** The single error of a refused operation, with `data` checked to be empty. */
export function refused(result: GraphQLResponse): { message: string; code: string; extensions: Record<string, any> } {
  if (!result.errors?.length) throw new Error(`Expected an error, got ${JSON.stringify(result.data)}`);
  const [error] = result.errors;
  return { message: error!.message, code: error!.extensions?.code, extensions: error!.extensions ?? {} };
}

export const SESSION_FIELDS = `
  id status statusReason mode name summary description assigneeId category imageUrl language
  availableCountries currency contentAccessibleBeforePayment isFree
  price { amount currency formatted } promotionalPrice { amount currency } promoStartsAt promoEndsAt
  vatCategory privateNote revision createdAt updatedAt createdBy
  format {
    __typename
    ... on WebinarFormat { link trainerId hostId }
    ... on ClassroomFormat { trainerId hostId place address notes helpfulLink courseIds }
    ... on OnlineFormat { trainerId courseId journeyId }
  }
  audience {
    __typename
    ... on PublicAudience { minParticipants maxParticipants }
    ... on PrivateAudience { targetTeamIds targetUserIds invitedEmails }
  }
  schedule { startsAt endsAt timezone startsAtLocal endsAtLocal durationMinutes attendanceConfirmationOffsetMinutes attendanceConfirmationOpensAt }
  documents { id name url }
  survey { title url }
`;
