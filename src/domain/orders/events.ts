import { z } from "zod";
import { PAYMENT_METHODS, type PaymentMethod } from "../organizations/settings.js";
import { APPLIED_PRICES, type AppliedPrice } from "../payments/price-to-pay.js";
import { eventCodec } from "../shared/event-codec.js";

/**
 * An order: what a person buys (its lines), for how much, how it is paid, and every payment and
 * refund (P3–P7). Lines reference what is bought, so sessions, appointments, products and
 * licences share one order. Stream: `order-<id>`.
 */
export const ORDER_CATEGORY = "order";
export const orderStreamName = (orderId: string) => `${ORDER_CATEGORY}-${orderId}`;

export const ORDER_STATUSES = ["PENDING", "PAID", "CANCELED", "EXPIRED", "REFUNDED", "PARTIALLY_REFUNDED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** What a line buys. */
export type OrderItem = { kind: "SESSION_SEAT"; sessionId: string; registrationId: string };

/** One line: the item, its description when ordered, and its price as it applied then (P2). */
export interface OrderLine {
  item: OrderItem;
  description: string;
  applied: AppliedPrice;
  vatCategory: string | null;
  vatRatePercent: number;
  /** Minor units of the order's currency. */
  net: number;
  vat: number;
  gross: number;
}

export const REFUND_METHODS = ["STRIPE", "MANUAL"] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

/** What an order is for and on which terms, as placed. */
export interface OrderTerms {
  orderId: string;
  organizationId: string;
  buyerId: string;
  lines: OrderLine[];
  currency: string;
  net: number;
  vat: number;
  gross: number;
  paymentMethod: PaymentMethod;
  /** Unpaid by then, the order expires and frees what it holds (P7). */
  paymentDeadline: string;
}

export type OrderPlaced = { type: "OrderPlaced"; data: OrderTerms & { placedBy: string; placedAt: string } };
export type OrderPaid = {
  type: "OrderPaid";
  data: { orderId: string; amount: number; reference: string | null; confirmedBy: string; paidAt: string };
};
/** A payment that came when the order could no longer take it (expired, canceled, already paid): to refund (P7). */
export type LatePaymentReceived = {
  type: "LatePaymentReceived";
  data: { orderId: string; amount: number; reference: string | null; statusThen: OrderStatus; receivedAt: string };
};
export type OrderCanceled = { type: "OrderCanceled"; data: { orderId: string; reason: string; canceledBy: string; canceledAt: string } };
export type OrderExpired = { type: "OrderExpired"; data: { orderId: string; expiredAt: string } };
export type OrderRefunded = {
  type: "OrderRefunded";
  data: {
    orderId: string;
    refundId: string;
    amount: number;
    reason: string;
    method: RefundMethod;
    refundedBy: string;
    refundedAt: string;
    /** True when nothing paid is left after it. */
    full: boolean;
  };
};
export type OrderEvent = OrderPlaced | OrderPaid | LatePaymentReceived | OrderCanceled | OrderExpired | OrderRefunded;

const amount = z.number().int();
const line = z.object({
  item: z.object({ kind: z.literal("SESSION_SEAT"), sessionId: z.string(), registrationId: z.string() }),
  description: z.string(),
  applied: z.enum(APPLIED_PRICES),
  vatCategory: z.string().nullable(),
  vatRatePercent: z.number(),
  net: amount,
  vat: amount,
  gross: amount,
});

export const orderEventCodec = eventCodec<OrderEvent>({
  OrderPlaced: z.object({
    orderId: z.string(),
    organizationId: z.string(),
    buyerId: z.string(),
    lines: z.array(line),
    currency: z.string(),
    net: amount,
    vat: amount,
    gross: amount,
    paymentMethod: z.enum(PAYMENT_METHODS),
    paymentDeadline: z.string(),
    placedBy: z.string(),
    placedAt: z.string(),
  }),
  OrderPaid: z.object({ orderId: z.string(), amount, reference: z.string().nullable(), confirmedBy: z.string(), paidAt: z.string() }),
  LatePaymentReceived: z.object({
    orderId: z.string(),
    amount,
    reference: z.string().nullable(),
    statusThen: z.enum(ORDER_STATUSES),
    receivedAt: z.string(),
  }),
  OrderCanceled: z.object({ orderId: z.string(), reason: z.string(), canceledBy: z.string(), canceledAt: z.string() }),
  OrderExpired: z.object({ orderId: z.string(), expiredAt: z.string() }),
  OrderRefunded: z.object({
    orderId: z.string(),
    refundId: z.string(),
    amount,
    reason: z.string(),
    method: z.enum(REFUND_METHODS),
    refundedBy: z.string(),
    refundedAt: z.string(),
    full: z.boolean(),
  }),
});
export const ORDER_EVENT_TYPES = orderEventCodec.types;
