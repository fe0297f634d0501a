/**
 * P3, P5 — the Stripe adapter with the official SDK against a local fake of Stripe's API:
 * one Checkout Session per order and attempt whatever the retries (idempotency key), expiring
 * with the order within the 30 min – 24 h Stripe allows; the session read back as Stripe has it
 * (paid, its payment intent); refunds once per refund id and never above what is left; webhook
 * payloads accepted only with a valid signature over the exact body, recent enough.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckoutRequest, StripePayments } from "../../src/adapters/payments/stripe-payments.js";
import { type FakeStripe, startFakeStripe } from "../support/fake-stripe.js";
import { HOUR, MINUTE, TestClock } from "../support/test-clock.js";

let fake: FakeStripe;
let stripe: StripePayments;
const clock = new TestClock();

const request = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: "order-1",
  organizationId: "org-1",
  currency: "EUR",
  lines: [
    { description: "Negotiation clinic", gross: 10_000 },
    { description: "Workbook", gross: 2_500 },
  ],
  customerEmail: "ann@example.test",
  payBy: new Date(clock.now().getTime() + 2 * HOUR),
  attempt: 1,
  successUrl: "https://academy.example/orders/order-1?paid=1",
  cancelUrl: "https://academy.example/orders/order-1",
  ...overrides,
});

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = new StripePayments({ secretKey: "sk_test_local", webhookSecret: fake.webhookSecret, apiBase: fake.apiBase }, clock);
});
afterAll(() => fake.stop());

describe("Checkout Sessions", () => {
  it("one per order and attempt: a retry gets the same session; the session carries the order, its total and its deadline", async () => {
    const first = await stripe.createCheckout(request());
    const retry = await stripe.createCheckout(request());
    expect(retry).toEqual(first);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_test_/);
    const sent = fake.sessions.get(first.checkoutSessionId)!;
    expect(sent).toMatchObject({ client_reference_id: "order-1", amount_total: 12_500, currency: "eur", customer_email: "ann@example.test" });
    expect(sent.metadata).toEqual({ orderId: "order-1", organizationId: "org-1" });
    expect(first.expiresAt.getTime()).toBe(Math.floor(request().payBy.getTime() / 1000) * 1000);
    expect(fake.requests.filter((r) => r.method === "POST").map((r) => r.idempotencyKey)).toEqual(["checkout-order-1-1", "checkout-order-1-1"]);
    // A later attempt (the first one expired) is a new session.
    const second = await stripe.createCheckout(request({ attempt: 2 }));
    expect(second.checkoutSessionId).not.toBe(first.checkoutSessionId);
  });

  it("expires within the 30 minutes to 24 hours Stripe allows, whatever the order's deadline", async () => {
    const now = clock.now().getTime();
    const soon = await stripe.createCheckout(request({ orderId: "order-soon", payBy: new Date(now + 5 * MINUTE) }));
    expect(soon.expiresAt.getTime()).toBeGreaterThanOrEqual(now + 30 * MINUTE - 1000);
    const late = await stripe.createCheckout(request({ orderId: "order-late", payBy: new Date(now + 72 * HOUR) }));
    expect(late.expiresAt.getTime()).toBeLessThanOrEqual(now + 24 * HOUR);
  });

  it("reads the session back as Stripe has it: open, then paid with its payment intent, or expired", async () => {
    const { checkoutSessionId } = await stripe.createCheckout(request({ orderId: "order-read" }));
    expect(await stripe.checkout(checkoutSessionId)).toMatchObject({ orderId: "order-read", status: "open", paid: false, paymentIntentId: null });
    fake.complete(checkoutSessionId);
    expect(await stripe.checkout(checkoutSessionId)).toMatchObject({
      status: "complete",
      paid: true,
      paymentIntentId: expect.stringMatching(/^pi_test_/),
      amountTotal: 12_500,
      currency: "EUR",
    });
    const other = await stripe.createCheckout(request({ orderId: "order-expired" }));
    fake.expire(other.checkoutSessionId);
    expect(await stripe.checkout(other.checkoutSessionId)).toMatchObject({ status: "expired", paid: false });
    await expect(stripe.checkout("cs_test_unknown")).rejects.toThrow(/No such checkout.session/);
  });
});

describe("refunds", () => {
  it("once per refund id, never above what is left", async () => {
    const { checkoutSessionId } = await stripe.createCheckout(request({ orderId: "order-refund" }));
    const paymentIntentId = fake.complete(checkoutSessionId).payment_intent as string;
    const part = await stripe.refund({ paymentIntentId, amount: 2_500, refundId: "rf-1" });
    expect(part.status).toBe("succeeded");
    expect(await stripe.refund({ paymentIntentId, amount: 2_500, refundId: "rf-1" })).toEqual(part);
    expect(fake.refunds.filter((r) => r.payment_intent === paymentIntentId)).toHaveLength(1);
    await expect(stripe.refund({ paymentIntentId, amount: 10_001, refundId: "rf-2" })).rejects.toThrow(/greater than unrefunded/);
    await stripe.refund({ paymentIntentId, amount: 10_000, refundId: "rf-3" });
    expect(fake.refunds.filter((r) => r.payment_intent === paymentIntentId).map((r) => r.amount)).toEqual([2_500, 10_000]);
  });
});

describe("webhooks", () => {
  it("accepts a payload signed with the webhook secret, as sent", () => {
    const { payload, signature } = fake.signed("checkout.session.completed", { id: "cs_test_1", object: "checkout.session" }, { eventId: "evt_1" });
    const event = stripe.webhookEvent(Buffer.from(payload), signature);
    expect(event).toMatchObject({ id: "evt_1", type: "checkout.session.completed", data: { object: { id: "cs_test_1" } } });
  });

  it("refuses a changed body, another secret's signature, and a signature older than Stripe's tolerance", () => {
    const { payload, signature } = fake.signed("charge.refunded", { id: "ch_1" });
    expect(() => stripe.webhookEvent(Buffer.from(payload.replace("ch_1", "ch_2")), signature)).toThrow(/signature/i);
    const elsewhere = new StripePayments({ secretKey: "sk_test_local", webhookSecret: "whsec_other", apiBase: fake.apiBase }, clock);
    expect(() => elsewhere.webhookEvent(Buffer.from(payload), signature)).toThrow(/signature/i);
    const old = fake.signed("charge.refunded", { id: "ch_1" }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(() => stripe.webhookEvent(Buffer.from(old.payload), old.signature)).toThrow(/tolerance/i);
  });
});
