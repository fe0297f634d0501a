import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import type { WebSocket, WebSocketServer } from "ws";

/** The body of every refusal outside GraphQL execution: the same shape as a GraphQL error. */
export function errorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/** Unknown routes and methods answer JSON, not express's HTML page. */
export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(errorBody(`No route for ${req.method} ${req.path}: the API is POST /graphql (and WebSocket on /graphql)`, "NOT_FOUND"));
};

/**
 * After the routes: body-parser's refusals (malformed JSON, a body over the limit…) and anything
 * else that reached express, as JSON with a code — never the HTML page with its stack trace.
 */
export function httpErrors(logger: Logger, maxRequestBytes: number): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === "number" ? error.status : typeof error?.statusCode === "number" ? error.statusCode : 500;
    if (error?.type === "entity.too.large") {
      res.status(413).json(errorBody(`The request body is larger than ${maxRequestBytes} bytes`, "PAYLOAD_TOO_LARGE"));
    } else if (error?.type === "entity.parse.failed") {
      res.status(400).json(errorBody("The request body is not valid JSON", "BAD_REQUEST"));
    } else if (status >= 400 && status < 500) {
      // body-parser's other refusals (unsupported charset or encoding, aborted request) have safe messages.
      const message = error?.expose && typeof error.message === "string" ? error.message : "Bad request";
      res.status(status).json(errorBody(message, "BAD_REQUEST"));
    } else {
      logger.error({ err: error }, "unexpected error in the HTTP layer");
      res.status(500).json(errorBody("Internal server error", "INTERNAL_SERVER_ERROR"));
    }
  };
}

/**
 * ws refuses a message over `maxPayload` as soon as its header announces the size (it is never
 * buffered) and closes the connection with 1009 (Message Too Big); this gives that close the code
 * as its reason, since no GraphQL answer can name the operation of a message that was not read.
 * The refusal is logged here instead of reaching graphql-ws, which reports socket errors as bugs.
 * Register before graphql-ws's useServer.
 */
export function explainOversizedMessages(wsServer: WebSocketServer, maxPayload: number, logger: Logger): void {
  wsServer.on("connection", (socket: WebSocket) => {
    const close = socket.close.bind(socket);
    socket.close = (code?: number, reason?: string | Buffer) =>
      close(code, code === 1009 && !reason ? `PAYLOAD_TOO_LARGE: messages are limited to ${maxPayload} bytes` : reason);
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string | symbol, ...args: unknown[]) => {
      if (event === "error" && (args[0] as { code?: string } | undefined)?.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        logger.warn({ maxPayload }, "WebSocket message over the size limit refused");
        return true;
      }
      return emit(event, ...args);
    };
  });
}
