import Stripe from "stripe";
import type { Clock } from "../../domain/shared/clock.js";

/** STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and, for tests, the API base of a local fake. */
export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** e.g. http://127.0.0.1:12111 (unset: Stripe's own API). */
  apiBase?: string;
}

/** What a Checkout Session asks the customer to pay for one order (P3). */
export interface CheckoutRequest {
  orderId: string;
  organizationId: string;
  currency: string;
  /** Each line's gross in minor units: Stripe charges what the order says, VAT included. */
  lines: { description: string; gross: number }[];
  customerEmail: string;
  /** The order's payment deadline. */
  payBy: Date;
  /** 1 for the order's first Checkout Session, 2 for the one made after it expired… (retries of one attempt make one session). */
  attempt: number;
  successUrl: string;
  cancelUrl: string;
}

export interface CheckoutState {
  checkoutSessionId: string;
  orderId: string | null;
  /** Stripe's session status: open, complete or expired. */
  status: "open" | "complete" | "expired";
  paid: boolean;
  paymentIntentId: string | null;
  amountTotal: number | null;
  currency: string | null;
}

/** Stripe lets a Checkout Session live from 30 minutes to 24 hours. */
const MIN_CHECKOUT_MS = 30 * 60_000;
const MAX_CHECKOUT_MS = 24 * 3600_000;

/**
 * Payments through Stripe with the official SDK (P3, P5): a Checkout Session per order, created
 * once whatever the retries (the idempotency key is the order's), read back by id (webhooks are
 * only a hint that something changed: the object is re-fetched, so events arriving twice or out
 * of order decide nothing on their own), refunds keyed by our refund id, and webhook payloads
 * verified against their signature over the raw body.
 */
export class StripePayments {
  readonly #stripe: Stripe;

  constructor(
    private readonly settings: StripeSettings,
    private readonly clock: Clock,
  ) {
    this.#stripe = new Stripe(settings.secretKey, { ...apiLocation(settings.apiBase), maxNetworkRetries: 2, timeout: 20_000 });
  }

  /**
   * The order's Checkout Session (its URL is where the customer pays). It expires with the order,
   * within the 30 minutes to 24 hours Stripe allows; an order that waits longer gets a new session
   * (the next `attempt`) when the customer comes back.
   */
  async createCheckout(request: CheckoutRequest): Promise<{ checkoutSessionId: string; url: string; expiresAt: Date }> {
    const now = this.clock.now().getTime();
    const expiresAt = new Date(Math.min(Math.max(request.payBy.getTime(), now + MIN_CHECKOUT_MS), now + MAX_CHECKOUT_MS));
    const session = await this.#stripe.checkout.sessions.create(
      {
        mode: "payment",
        client_reference_id: request.orderId,
        customer_email: request.customerEmail,
        expires_at: Math.floor(expiresAt.getTime() / 1000),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
        metadata: { orderId: request.orderId, organizationId: request.organizationId },
        payment_intent_data: { metadata: { orderId: request.orderId, organizationId: request.organizationId } },
        line_items: request.lines.map((line) => ({
          quantity: 1,
          price_data: { currency: request.currency.toLowerCase(), unit_amount: line.gross, product_data: { name: line.description } },
        })),
      },
      { idempotencyKey: `checkout-${request.orderId}-${request.attempt}` },
    );
    if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
    return { checkoutSessionId: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
  }

  /** The Checkout Session as Stripe has it now. */
  async checkout(checkoutSessionId: string): Promise<CheckoutState> {
    const session = await this.#stripe.checkout.sessions.retrieve(checkoutSessionId);
    const paymentIntent = session.payment_intent;
    return {
      checkoutSessionId: session.id,
      orderId: session.client_reference_id,
      status: session.status === "complete" ? "complete" : session.status === "expired" ? "expired" : "open",
      paid: session.payment_status === "paid",
      paymentIntentId: typeof paymentIntent === "string" ? paymentIntent : (paymentIntent?.id ?? null),
      amountTotal: session.amount_total,
      currency: session.currency?.toUpperCase() ?? null,
    };
  }

  /** Refunds part or all of a payment, once per refund id. */
  async refund(payment: { paymentIntentId: string; amount: number; refundId: string }): Promise<{ stripeRefundId: string; status: string }> {
    const refund = await this.#stripe.refunds.create(
      { payment_intent: payment.paymentIntentId, amount: payment.amount, metadata: { refundId: payment.refundId } },
      { idempotencyKey: `refund-${payment.refundId}` },
    );
    return { stripeRefundId: refund.id, status: refund.status ?? "pending" };
  }

  /** The webhook's event when its signature over the raw body is right (else it throws). */
  webhookEvent(rawBody: Buffer | string, signature: string): Stripe.Event {
    return this.#stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret);
  }
}

function apiLocation(apiBase: string | undefined): { host?: string; port?: number; protocol?: "http" | "https" } {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: Number(url.port || (protocol === "http" ? 80 : 443)), protocol };
}
