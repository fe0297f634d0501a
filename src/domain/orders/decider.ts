import { z } from "zod";
import { PAYMENT_METHODS, type PaymentMethod } from "../organizations/settings.js";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { currencyCodeSchema, idSchema, instantSchema, minorUnitsSchema, nonEmptyText, parseOrThrow } from "../shared/validation.js";
import {
  type OrderEvent,
  type OrderLine,
  type OrderStatus,
  type OrderTerms,
  REFUND_METHODS,
  type RefundMethod,
  orderEventCodec,
} from "./events.js";

type Base<T extends string> = { type: T; orderId: string; context: CommandContext };

/** The lines come priced (P2, by the caller's use case); the decider checks they add up. */
export type PlaceOrder = Base<"PlaceOrder"> & {
  buyerId: string;
  lines: OrderLine[];
  currency: string;
  paymentMethod: PaymentMethod;
  paymentDeadline: string;
};
/** P3: a payment arrived (a Stripe payment, by its reference). */
export type RecordPayment = Base<"RecordPayment"> & { amount: number; reference: string | null };
/** P4: staff confirm a cash or check payment. */
export type MarkOrderPaid = Base<"MarkOrderPaid">;
export type CancelOrder = Base<"CancelOrder"> & { reason: string };
/** P7: the deadline passed unpaid (decided on the command's now: before the deadline, nothing happens). */
export type ExpireOrder = Base<"ExpireOrder">;
/** P5: by staff, full or partial; the refund id makes a retry (or a second replica) record it once. */
export type RefundOrder = Base<"RefundOrder"> & { refundId: string; amount: number; reason: string; method: RefundMethod };
export type OrderCommand = PlaceOrder | RecordPayment | MarkOrderPaid | CancelOrder | ExpireOrder | RefundOrder;

export interface Order extends OrderTerms {
  status: OrderStatus;
  placedAt: string;
  paidAmount: number;
  refundedAmount: number;
  /** Payments seen (their references), accepted or late: each is recorded once. */
  paymentReferences: string[];
  refundIds: string[];
}
export type OrderState = { kind: "Initial" } | { kind: "Existing"; order: Order };

export const initialOrderState = (): OrderState => ({ kind: "Initial" });

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === "OrderPlaced") {
    const { placedBy: _by, ...placed } = event.data;
    return {
      kind: "Existing",
      order: { ...placed, status: "PENDING", paidAmount: 0, refundedAmount: 0, paymentReferences: [], refundIds: [] },
    };
  }
  if (state.kind === "Initial") return state;
  const order = state.order;
  const withReference = (reference: string | null) => (reference ? [...order.paymentReferences, reference] : order.paymentReferences);
  switch (event.type) {
    case "OrderPaid":
      return { kind: "Existing", order: { ...order, status: "PAID", paidAmount: event.data.amount, paymentReferences: withReference(event.data.reference) } };
    case "LatePaymentReceived":
      return { kind: "Existing", order: { ...order, paymentReferences: withReference(event.data.reference) } };
    case "OrderCanceled":
      return { kind: "Existing", order: { ...order, status: "CANCELED" } };
    case "OrderExpired":
      return { kind: "Existing", order: { ...order, status: "EXPIRED" } };
    case "OrderRefunded":
      return {
        kind: "Existing",
        order: {
          ...order,
          status: event.data.full ? "REFUNDED" : "PARTIALLY_REFUNDED",
          refundedAmount: order.refundedAmount + event.data.amount,
          refundIds: [...order.refundIds, event.data.refundId],
        },
      };
    default:
      return assertNever(event);
  }
}

const lineSchema = z
  .object({
    item: z.object({ kind: z.literal("SESSION_SEAT"), sessionId: idSchema, registrationId: idSchema }),
    description: nonEmptyText(300),
    applied: z.enum(["REGULAR", "PROMO", "MEMBER"]),
    vatCategory: z.string().nullable(),
    vatRatePercent: z.number().min(0).max(100),
    net: minorUnitsSchema,
    vat: minorUnitsSchema,
    gross: minorUnitsSchema,
  })
  .refine((line) => line.net + line.vat === line.gross, { message: "net + vat must equal gross", path: ["gross"] });

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  const { context } = command;
  const orderId = parseOrThrow(idSchema, command.orderId, "orderId");
  const at = context.now.toISOString();
  if (command.type === "PlaceOrder") return place(command, state);
  const order = existing(state, context.organizationId, orderId);

  switch (command.type) {
    case "RecordPayment": {
      const amount = parseOrThrow(minorUnitsSchema, command.amount, "amount");
      const reference = command.reference;
      if (reference !== null && order.paymentReferences.includes(reference)) return [];
      if (order.status === "PENDING") {
        if (amount !== order.gross) throw new ValidationError("amount", `must be the order's total, ${order.gross} ${order.currency}`);
        return [{ type: "OrderPaid", data: { orderId, amount, reference, confirmedBy: context.actorId, paidAt: at } }];
      }
      // Too late (expired, canceled) or twice: recorded, so it is refunded (P7).
      return [{ type: "LatePaymentReceived", data: { orderId, amount, reference, statusThen: order.status, receivedAt: at } }];
    }
    case "MarkOrderPaid": {
      if (order.paymentMethod === "STRIPE") {
        throw new ValidationError("orderId", "is paid by card: its payment is confirmed by Stripe, not by hand");
      }
      if (order.status === "PAID") return [];
      if (order.status !== "PENDING") throw notPending(order);
      return [{ type: "OrderPaid", data: { orderId, amount: order.gross, reference: null, confirmedBy: context.actorId, paidAt: at } }];
    }
    case "CancelOrder": {
      if (order.status === "CANCELED") return [];
      if (order.status !== "PENDING") throw notPending(order);
      const reason = parseOrThrow(nonEmptyText(500), command.reason, "reason");
      return [{ type: "OrderCanceled", data: { orderId, reason, canceledBy: context.actorId, canceledAt: at } }];
    }
    case "ExpireOrder":
      if (order.status !== "PENDING" || context.now.getTime() < Date.parse(order.paymentDeadline)) return [];
      return [{ type: "OrderExpired", data: { orderId, expiredAt: at } }];
    case "RefundOrder": {
      const refundId = parseOrThrow(idSchema, command.refundId, "refundId");
      if (order.refundIds.includes(refundId)) return [];
      if (order.status !== "PAID" && order.status !== "PARTIALLY_REFUNDED") {
        throw new DomainError("ORDER_NOT_PAID", `Order ${orderId} is ${order.status}: only a paid order is refunded`, { status: order.status });
      }
      const left = order.paidAmount - order.refundedAmount;
      const amount = parseOrThrow(minorUnitsSchema, command.amount, "amount");
      if (amount < 1) throw new ValidationError("amount", "must be at least 1");
      if (amount > left) throw new ValidationError("amount", `must be at most ${left} ${order.currency}, what is left to refund`);
      const reason = parseOrThrow(nonEmptyText(500), command.reason, "reason");
      const method = parseOrThrow(z.enum(REFUND_METHODS, "must be STRIPE or MANUAL"), command.method, "method");
      return [
        {
          type: "OrderRefunded",
          data: { orderId, refundId, amount, reason, method, refundedBy: context.actorId, refundedAt: at, full: amount === left },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function place(command: PlaceOrder, state: OrderState): OrderEvent[] {
  const { context, orderId } = command;
  if (state.kind === "Existing") {
    if (state.order.organizationId !== context.organizationId) throw new DomainError("ALREADY_EXISTS", `Order ${orderId} already exists`);
    return []; // the same order, placed again by a retry
  }
  const buyerId = parseOrThrow(idSchema, command.buyerId, "buyerId");
  const currency = parseOrThrow(currencyCodeSchema, command.currency, "currency");
  const paymentMethod = parseOrThrow(z.enum(PAYMENT_METHODS, "must be CASH, CHECK or STRIPE"), command.paymentMethod, "paymentMethod");
  const lines = parseOrThrow(z.array(lineSchema).min(1, "must hold at least one line").max(100), command.lines, "lines");
  const paymentDeadline = parseOrThrow(instantSchema, command.paymentDeadline, "paymentDeadline");
  if (Date.parse(paymentDeadline) <= context.now.getTime()) throw new ValidationError("paymentDeadline", "must be in the future");
  const total = (part: "net" | "vat" | "gross") => lines.reduce((sum, line) => sum + line[part], 0);
  return [
    {
      type: "OrderPlaced",
      data: {
        orderId,
        organizationId: context.organizationId,
        buyerId,
        lines,
        currency,
        net: total("net"),
        vat: total("vat"),
        gross: total("gross"),
        paymentMethod,
        paymentDeadline,
        placedBy: context.actorId,
        placedAt: context.now.toISOString(),
      },
    },
  ];
}

function existing(state: OrderState, organizationId: string, orderId: string): Order {
  if (state.kind === "Initial" || state.order.organizationId !== organizationId) {
    throw new DomainError("NOT_FOUND", `Order ${orderId} was not found`);
  }
  return state.order;
}

const notPending = (order: Order) =>
  new DomainError("ORDER_NOT_PENDING", `Order ${order.orderId} is ${order.status}: only a pending order can be paid or canceled`, {
    status: order.status,
  });

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  codec: orderEventCodec,
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideOrder,
};
