import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { GraphQLError, type ExecutionResult, type GraphQLSchema, type ValidationRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { App } from "../app.js";
import { buildContext, type GraphQLContext } from "./context.js";
import { depthLimit } from "./depth-limit.js";
import { formatError } from "./errors.js";
import { checkInputBounds } from "./input-bounds.js";
import { noIntrospection } from "./introspection.js";
import { aliasLimit, checkQueryCost } from "./query-limits.js";
import { buildAppSchema } from "./schema.js";
import { explainOversizedMessages, httpErrors, notFound } from "./transport-errors.js";
import { prepareWsOperation } from "./ws-operations.js";

export const MAX_QUERY_DEPTH = 12;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** HTTP at /graphql (Apollo Server 5 on express) and graphql-ws on the same port and path. */
export async function startServer(app: App, schema?: GraphQLSchema): Promise<RunningServer> {
  schema ??= await buildAppSchema();
  const limits = app.config.graphql;
  const format = formatError(app.logger, { suggestions: limits.introspection });
  // The same rules on both transports; input bounds and the cost need the variables, so they are checked after validation.
  const validationRules: ValidationRule[] = [
    depthLimit(MAX_QUERY_DEPTH),
    aliasLimit(limits.maxQueryAliases),
    ...(limits.introspection ? [] : [noIntrospection]),
  ];
  const expressApp = express();
  // Behind a load balancer, the client's address is in X-Forwarded-For (sign-in rate limits use it).
  expressApp.set("trust proxy", app.config.trustProxy);
  const httpServer = http.createServer(expressApp);

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: limits.maxRequestBytes });
  explainOversizedMessages(wsServer, limits.maxRequestBytes, app.logger);
  const prepare = prepareWsOperation(schema, validationRules, limits.maxQueryCost);
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      onSubscribe: (_ctx, _id, payload) => prepare(payload),
      context: (ctx) => {
        const params = ctx.connectionParams ?? {};
        return buildContext(app, params.authorization ?? params.Authorization, {
          clientIp: ctx.extra.request.socket.remoteAddress,
        });
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, format),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => format(error.toJSON(), error)) as never,
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: format,
    includeStacktraceInErrorResponses: false,
    validationRules,
    // Refused by noIntrospection above when turned off, the same rule as over WebSocket.
    introspection: true,
    hideSchemaDetailsFromClientErrors: !limits.introspection,
    plugins: [
      {
        requestDidStart: async () => ({
          didResolveOperation: async ({ schema, document, request }) => {
            const refusal =
              checkInputBounds(schema, document, request.variables, request.operationName) ??
              checkQueryCost(schema, document, request.variables, request.operationName, limits.maxQueryCost);
            if (refusal) throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, http: { status: 400 } } });
          },
        }),
      },
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  // Readiness: 503 with the reasons while the read models or a runner are down, or lag too far.
  expressApp.get("/health", async (_req, res) => {
    const { ready, ...health } = await app.health();
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", ...health });
  });
  expressApp.use(
    "/graphql",
    express.json({ limit: limits.maxRequestBytes }),
    expressMiddleware(apollo, {
      context: ({ req }) =>
        buildContext(app, req.headers.authorization, {
          requestId: header(req.headers["x-correlation-id"]),
          clientIp: req.ip ?? req.socket.remoteAddress,
        }),
    }),
  );
  expressApp.use(notFound);
  expressApp.use(httpErrors(app.logger, limits.maxRequestBytes));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(app.config.port, app.config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = app.config.host === "0.0.0.0" ? "localhost" : app.config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    close: async () => {
      await apollo.stop();
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function formatResult(result: ExecutionResult, format: ReturnType<typeof formatError>): ExecutionResult {
  if (!result.errors) return result;
  return { ...result, errors: result.errors.map((error) => format(error.toJSON(), error)) } as unknown as ExecutionResult;
}
