/**
 * The order decider (P3–P7), given / when / then: an order is placed with priced lines that add
 * up; a payment of its total pays it, once per payment reference; a payment that comes too late
 * (expired, canceled) or twice is recorded to be refunded; staff mark cash and check orders paid,
 * never card ones; a pending order cancels or, once its deadline passed, expires; refunds by id,
 * never more than what is left, full or partial. Properties: whatever the refunds asked, refunded
 * never exceeds paid, and the status says whether anything is left.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type OrderCommand, type OrderState, orderDecider } from "../../src/domain/orders/decider.js";
import type { OrderEvent, OrderLine } from "../../src/domain/orders/events.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";
import { ACTOR_ID, ORG_ID, context } from "./session-fixtures.js";

const ORDER_ID = "order-1";
const NOW = new Date("2026-11-21T10:00:00Z");
const DEADLINE = "2026-11-22T10:00:00.000Z";
const given = (events: OrderEvent[]) => spec(orderDecider).given(events);
const at = (iso: string): CommandContext => context({ now: new Date(iso) });

const seat = (registrationId: string, gross: number, vat = 0): OrderLine => ({
  item: { kind: "SESSION_SEAT", sessionId: "session-1", registrationId },
  description: "Negotiation clinic",
  applied: "REGULAR",
  vatCategory: vat ? "STANDARD" : null,
  vatRatePercent: vat ? 21 : 0,
  net: gross - vat,
  vat,
  gross,
});

const command = <C extends OrderCommand>(fields: Omit<C, "orderId" | "context"> & { context?: CommandContext }): OrderCommand =>
  ({ orderId: ORDER_ID, context: context(), ...fields }) as OrderCommand;
const place = (overrides: Record<string, unknown> = {}) =>
  command({
    type: "PlaceOrder",
    buyerId: "buyer-1",
    lines: [seat("r1", 10_000, 1_736)],
    currency: "EUR",
    paymentMethod: "CASH",
    paymentDeadline: DEADLINE,
    ...overrides,
  } as never);
const pay = (amount: number, reference: string | null = "pi_1", ctx = context()) => command({ type: "RecordPayment", amount, reference, context: ctx } as never);
const refund = (refundId: string, amount: number) => command({ type: "RefundOrder", refundId, amount, reason: "Asked for it", method: "MANUAL" } as never);

const placed = (overrides: Partial<Extract<OrderEvent, { type: "OrderPlaced" }>["data"]> = {}): OrderEvent => ({
  type: "OrderPlaced",
  data: {
    orderId: ORDER_ID,
    organizationId: ORG_ID,
    buyerId: "buyer-1",
    lines: [seat("r1", 10_000, 1_736)],
    currency: "EUR",
    net: 8_264,
    vat: 1_736,
    gross: 10_000,
    paymentMethod: "CASH",
    paymentDeadline: DEADLINE,
    placedBy: ACTOR_ID,
    placedAt: NOW.toISOString(),
    ...overrides,
  },
});
const paid = (reference: string | null = null): OrderEvent => ({
  type: "OrderPaid",
  data: { orderId: ORDER_ID, amount: 10_000, reference, confirmedBy: ACTOR_ID, paidAt: NOW.toISOString() },
});
const statusAfter = (events: OrderEvent[]) => {
  const state = fold(orderDecider, events) as Extract<OrderState, { kind: "Existing" }>;
  return state.order.status;
};

describe("P3 placing an order", () => {
  it("records its lines and their totals, pending until its deadline", () => {
    const lines = [seat("r1", 10_000, 1_736), seat("r2", 5_000, 868)];
    const events = given([]).when(place({ lines })).then([placed({ lines, net: 12_396, vat: 2_604, gross: 15_000 })]);
    expect(statusAfter(events)).toBe("PENDING");
  });

  it("a retry places nothing more; another organization's id is ALREADY_EXISTS", () => {
    given([placed()]).when(place()).then([]);
    given([placed({ organizationId: "other-org" })]).when(place()).thenThrows("ALREADY_EXISTS");
  });

  it.each([
    ["lines", { lines: [] }],
    ["lines.0.gross", { lines: [{ ...seat("r1", 10_000, 1_736), vat: 1_000 }] }],
    ["lines.0.net", { lines: [{ ...seat("r1", 10_000), net: -1, gross: -1 }] }],
    ["currency", { currency: "EURO" }],
    ["paymentMethod", { paymentMethod: "BITCOIN" }],
    ["paymentDeadline", { paymentDeadline: "2026-11-21T09:00:00Z" }],
    ["paymentDeadline", { paymentDeadline: "tomorrow" }],
  ])("refuses a bad %s", (field, overrides) => {
    given([]).when(place(overrides)).thenThrows("VALIDATION", undefined, { field });
  });
});

describe("P3, P7 payments", () => {
  it("the total pays a pending order; the same payment again changes nothing", () => {
    const events = [placed(), ...given([placed()]).when(pay(10_000)).then([
      { type: "OrderPaid", data: { orderId: ORDER_ID, amount: 10_000, reference: "pi_1", confirmedBy: ACTOR_ID, paidAt: context().now.toISOString() } },
    ])];
    expect(statusAfter(events)).toBe("PAID");
    given(events).when(pay(10_000)).then([]);
  });

  it("another amount than the total is refused, naming the total", () => {
    given([placed()]).when(pay(9_999)).thenThrows("VALIDATION", /must be the order's total, 10000 EUR/, { field: "amount" });
  });

  it("a payment after expiry or cancellation, or a second one, is recorded once, to refund", () => {
    const expired: OrderEvent = { type: "OrderExpired", data: { orderId: ORDER_ID, expiredAt: DEADLINE } };
    const late = [placed(), expired, ...given([placed(), expired]).when(pay(10_000, "pi_late")).then([
      {
        type: "LatePaymentReceived",
        data: { orderId: ORDER_ID, amount: 10_000, reference: "pi_late", statusThen: "EXPIRED", receivedAt: context().now.toISOString() },
      },
    ])];
    expect(statusAfter(late)).toBe("EXPIRED");
    given(late).when(pay(10_000, "pi_late")).then([]);
    given([placed(), paid("pi_1")]).when(pay(10_000, "pi_2")).then([
      expect.objectContaining({ type: "LatePaymentReceived", data: expect.objectContaining({ statusThen: "PAID", reference: "pi_2" }) }) as OrderEvent,
    ]);
  });
});

describe("P4 cash and check", () => {
  const markPaid = command({ type: "MarkOrderPaid" } as never);

  it("staff mark a cash or check order paid at its total, once", () => {
    const events = [placed(), ...given([placed()]).when(markPaid).then([paid(null)])];
    given(events).when(markPaid).then([]);
    given([placed({ paymentMethod: "CHECK" })]).when(markPaid).then([paid(null)]);
  });

  it("never a card order, nor an expired or canceled one", () => {
    given([placed({ paymentMethod: "STRIPE" })]).when(markPaid).thenThrows("VALIDATION", /Stripe/, { field: "orderId" });
    const canceled: OrderEvent = { type: "OrderCanceled", data: { orderId: ORDER_ID, reason: "No", canceledBy: ACTOR_ID, canceledAt: NOW.toISOString() } };
    given([placed(), canceled]).when(markPaid).thenThrows("ORDER_NOT_PENDING", /CANCELED/, { status: "CANCELED" });
  });
});

describe("P7 cancellation and expiry", () => {
  it("a pending order cancels (once); a paid one is refunded instead", () => {
    const cancel = command({ type: "CancelOrder", reason: "Changed my mind" } as never);
    const events = [placed(), ...given([placed()]).when(cancel).then([
      { type: "OrderCanceled", data: { orderId: ORDER_ID, reason: "Changed my mind", canceledBy: ACTOR_ID, canceledAt: NOW.toISOString() } },
    ])];
    given(events).when(cancel).then([]);
    given([placed(), paid()]).when(cancel).thenThrows("ORDER_NOT_PENDING");
  });

  it("expires only once its deadline has come, and only while pending", () => {
    const expire = (iso: string) => command({ type: "ExpireOrder", context: at(iso) } as never);
    given([placed()]).when(expire("2026-11-22T09:59:59.999Z")).then([]);
    given([placed()]).when(expire(DEADLINE)).then([{ type: "OrderExpired", data: { orderId: ORDER_ID, expiredAt: DEADLINE } }]);
    given([placed(), paid()]).when(expire("2026-12-01T00:00:00Z")).then([]);
  });

  it("another organization's order is NOT_FOUND", () => {
    given([placed({ organizationId: "other-org" })]).when(pay(10_000)).thenThrows("NOT_FOUND");
  });
});

describe("P5 refunds", () => {
  it("partial, then the rest: PARTIALLY_REFUNDED, then REFUNDED; a refund id is recorded once", () => {
    const first = [placed(), paid(), ...given([placed(), paid()]).when(refund("rf-1", 3_000)).then([
      {
        type: "OrderRefunded",
        data: {
          orderId: ORDER_ID,
          refundId: "rf-1",
          amount: 3_000,
          reason: "Asked for it",
          method: "MANUAL",
          refundedBy: ACTOR_ID,
          refundedAt: NOW.toISOString(),
          full: false,
        },
      },
    ])];
    expect(statusAfter(first)).toBe("PARTIALLY_REFUNDED");
    given(first).when(refund("rf-1", 3_000)).then([]);
    const rest = [...first, ...given(first).when(refund("rf-2", 7_000)).then([expect.objectContaining({ type: "OrderRefunded" }) as OrderEvent])];
    expect(statusAfter(rest)).toBe("REFUNDED");
  });

  it("never more than what is left, never nothing, never an unpaid order", () => {
    given([placed(), paid()]).when(refund("rf-1", 10_001)).thenThrows("VALIDATION", /at most 10000 EUR/, { field: "amount" });
    given([placed(), paid()]).when(refund("rf-1", 0)).thenThrows("VALIDATION", undefined, { field: "amount" });
    given([placed(), paid()]).when(refund("rf-1", -5)).thenThrows("VALIDATION", undefined, { field: "amount" });
    given([placed()]).when(refund("rf-1", 100)).thenThrows("ORDER_NOT_PAID", /PENDING/, { status: "PENDING" });
  });

  it("whatever refunds are asked, refunded never exceeds paid, and the status says whether anything is left (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -10, max: 12_000 })), { maxLength: 12 }), (asks) => {
        let events: OrderEvent[] = [placed(), paid()];
        for (const [id, amount] of asks) {
          try {
            events = [...events, ...orderDecider.decide(refund(`rf-${id}`, amount), fold(orderDecider, events))];
          } catch {
            // refused: nothing recorded
          }
        }
        const order = (fold(orderDecider, events) as Extract<OrderState, { kind: "Existing" }>).order;
        expect(order.refundedAmount).toBeLessThanOrEqual(order.paidAmount);
        expect(order.refundedAmount).toBeGreaterThanOrEqual(0);
        const expected = order.refundedAmount === 0 ? "PAID" : order.refundedAmount === order.paidAmount ? "REFUNDED" : "PARTIALLY_REFUNDED";
        expect(order.status).toBe(expected);
      }),
    );
  });
});
