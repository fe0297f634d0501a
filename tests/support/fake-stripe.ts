import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

/**
 * A local stand-in for Stripe's API, enough for Checkout and refunds (no stripe-mock exists for
 * Node): form-encoded requests as the SDK sends them, Stripe's idempotency rule (the same key
 * answers the same response; the same key with other parameters is an error), and controls that
 * play the customer (`complete`, `expire`). `signed` makes a webhook payload signed as Stripe signs it.
 */
export interface FakeStripe {
  apiBase: string;
  webhookSecret: string;
  /** Every request received: method, path, idempotency key. */
  requests: { method: string; path: string; idempotencyKey: string | null }[];
  sessions: Map<string, Record<string, any>>;
  refunds: Record<string, any>[];
  /** The customer paid: the session completes, with a payment intent. */
  complete(checkoutSessionId: string): Record<string, any>;
  expire(checkoutSessionId: string): Record<string, any>;
  signed(type: string, object: Record<string, unknown>, options?: { timestamp?: number; eventId?: string }): { payload: string; signature: string };
  stop(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;

/** `a[b][0][c]=1` form fields into nested objects and arrays. */
function parseForm(body: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, "").split("[");
    let node: any = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!);
      if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    });
  }
  return root;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  const requests: FakeStripe["requests"] = [];
  const sessions = new Map<string, Record<string, any>>();
  const paymentIntents = new Map<string, { amount: number; refunded: number }>();
  const refunds: Record<string, any>[] = [];
  const byKey = new Map<string, { params: string; status: number; body: unknown }>();
  let port = 0;

  const error = (status: number, type: string, message: string, code?: string) => ({ status, body: { error: { type, message, code } } });

  function handle(method: string, path: string, params: Record<string, any>): { status: number; body: unknown } {
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const lineItems = (params.line_items ?? []) as any[];
      const amountTotal = lineItems.reduce((sum, item) => sum + Number(item.price_data.unit_amount) * Number(item.quantity ?? 1), 0);
      const sessionId = id("cs");
      const session = {
        id: sessionId,
        object: "checkout.session",
        url: `http://127.0.0.1:${port}/pay/${sessionId}`,
        client_reference_id: params.client_reference_id ?? null,
        customer_email: params.customer_email ?? null,
        amount_total: amountTotal,
        currency: lineItems[0]?.price_data.currency ?? null,
        expires_at: Number(params.expires_at),
        metadata: params.metadata ?? {},
        mode: params.mode,
        status: "open",
        payment_status: "unpaid",
        payment_intent: null,
        line_items_sent: lineItems,
      };
      sessions.set(sessionId, session);
      return { status: 200, body: session };
    }
    const retrieve = /^\/v1\/checkout\/sessions\/([\w-]+)$/.exec(path);
    if (method === "GET" && retrieve) {
      const session = sessions.get(retrieve[1]!);
      return session ? { status: 200, body: session } : error(404, "invalid_request_error", `No such checkout.session: '${retrieve[1]}'`, "resource_missing");
    }
    if (method === "POST" && path === "/v1/refunds") {
      const intent = paymentIntents.get(String(params.payment_intent));
      if (!intent) return error(404, "invalid_request_error", `No such payment_intent: '${params.payment_intent}'`, "resource_missing");
      const amount = params.amount === undefined ? intent.amount - intent.refunded : Number(params.amount);
      if (amount > intent.amount - intent.refunded) {
        return error(400, "invalid_request_error", `Refund amount (${amount}) is greater than unrefunded amount on charge`, "amount_too_large");
      }
      intent.refunded += amount;
      const refund = { id: id("re"), object: "refund", amount, payment_intent: params.payment_intent, status: "succeeded", metadata: params.metadata ?? {} };
      refunds.push(refund);
      return { status: 200, body: refund };
    }
    return error(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path})`);
  }

  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const key = (request.headers["idempotency-key"] as string | undefined) ?? null;
      requests.push({ method: request.method ?? "GET", path: url.pathname, idempotencyKey: key });
      let answer: { status: number; body: unknown };
      const seen = key ? byKey.get(`${request.method} ${url.pathname} ${key}`) : undefined;
      if (seen && seen.params !== body) {
        answer = error(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with");
      } else if (seen) {
        answer = seen;
      } else {
        answer = handle(request.method ?? "GET", url.pathname, parseForm(body));
        if (key && request.method === "POST") byKey.set(`${request.method} ${url.pathname} ${key}`, { params: body, ...answer });
      }
      response.writeHead(answer.status, { "content-type": "application/json", "request-id": id("req") });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const signer = new Stripe("sk_test_fake", {});

  return {
    apiBase: `http://127.0.0.1:${port}`,
    webhookSecret,
    requests,
    sessions,
    refunds,
    complete(checkoutSessionId) {
      const session = sessions.get(checkoutSessionId)!;
      const paymentIntent = id("pi");
      paymentIntents.set(paymentIntent, { amount: session.amount_total, refunded: 0 });
      Object.assign(session, { status: "complete", payment_status: "paid", payment_intent: paymentIntent });
      return session;
    },
    expire(checkoutSessionId) {
      return Object.assign(sessions.get(checkoutSessionId)!, { status: "expired" });
    },
    signed(type, object, options = {}) {
      const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      const payload = JSON.stringify({ id: options.eventId ?? id("evt"), object: "event", type, created: timestamp, data: { object } });
      return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret, timestamp }) };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
