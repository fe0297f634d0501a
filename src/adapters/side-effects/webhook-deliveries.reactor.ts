import http from "node:http";
import https from "node:https";
import { redactedJson } from "../../domain/audit/redact.js";
import type { RetryPolicy } from "../../domain/side-effects/retry-schedule.js";
import type { Clock } from "../../domain/shared/clock.js";
import { INTEGRATOR_EVENT_TYPES } from "../../domain/webhooks/integrator-event-types.js";
import type { WebhookReplayRequested } from "../../domain/webhooks/events.js";
import { streamCategory, type EventStore, type RecordedEvent } from "../../domain/shared/event-store.js";
import type { WebhookQueries } from "../../projections/webhooks.queries.js";
import { SIGNATURE_HEADER, signatureHeader } from "../webhooks/webhook-signature.js";
import { checkedLookup, type HostResolver, hostOf, systemResolver, TargetNotAllowed, type WebhookTargetPolicy } from "../webhooks/webhook-targets.js";
import { EffectFailure, type EffectRequest, type Reactor } from "./reactor.js";

export interface WebhookDeliveryOptions {
  retryPolicy: RetryPolicy;
  timeoutMs: number;
  clock: Clock;
  /** Checked again at each attempt: a host name may resolve to an internal address later. */
  targets: WebhookTargetPolicy;
  /** DNS unless given. */
  resolve?: HostResolver;
}

/**
 * One delivery per (webhook, event): every enabled webhook of the event's organization that
 * asked for its type, and on a replay request every matching event of the range again (under a
 * new key, so earlier deliveries keep their record). Deliveries that fail are retried with
 * back-off; after the last attempt they stay FAILED and the webhook stays enabled.
 */
export class WebhookDeliveriesReactor implements Reactor {
  readonly kind = "WEBHOOK" as const;
  readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly store: EventStore,
    private readonly webhooks: WebhookQueries,
    private readonly options: WebhookDeliveryOptions,
  ) {
    this.retryPolicy = options.retryPolicy;
  }

  async effectsOf(event: RecordedEvent): Promise<EffectRequest[]> {
    const organizationId = event.metadata.tenantId;
    if (typeof organizationId !== "string") return [];
    if (event.type === "WebhookReplayRequested") return this.#replay(organizationId, event as unknown as WebhookReplayRequested);
    if (!INTEGRATOR_EVENT_TYPES.includes(event.type)) return [];
    return this.webhooks.subscribedTo(organizationId, event.type).map((webhook) => ({
      key: `webhook:${webhook.id}:${event.id}`,
      kind: this.kind,
      targetId: webhook.id,
      organizationId,
      trigger: event,
    }));
  }

  async perform(request: EffectRequest, attempt: number): Promise<{ statusCode: number }> {
    const webhook = this.webhooks.byId(request.targetId);
    if (!webhook || webhook.deletedAt) throw new EffectFailure("The webhook was deleted", null, true);
    if (!webhook.enabled) throw new EffectFailure("The webhook is disabled; replay to deliver", null, true);
    const body = deliveryBody(request, attempt);
    const nowSeconds = Math.floor(this.options.clock.now().getTime() / 1000);
    const headers = {
      "content-type": "application/json",
      "user-agent": "sessions-webhooks/1",
      "sessions-delivery-id": request.key,
      "sessions-event-type": request.trigger.type,
      [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(webhook.secret, body, nowSeconds),
    };
    let status: number;
    try {
      status = await this.#post(webhook.url, headers, body);
    } catch (error) {
      if (error instanceof TargetNotAllowed) throw new EffectFailure(error.message);
      throw new EffectFailure(`Could not reach ${webhook.url}: ${(error as Error).message}`);
    }
    if (status < 200 || status >= 300) {
      throw new EffectFailure(`The endpoint answered HTTP ${status}`, status);
    }
    return { statusCode: status };
  }

  /**
   * POSTs and answers the status code. Redirects are not followed (a 3xx is a failed attempt).
   * The target is checked before connecting: an IP literal or internal name here, a host name's
   * addresses in the lookup, whose checked addresses are the ones connected to (node:http rather
   * than fetch for that `lookup`).
   */
  #post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    const { targets, timeoutMs } = this.options;
    if (hostOf(url) === null) return Promise.reject(new Error("not an http(s) URL"));
    if (targets.refusal(url) !== null) return Promise.reject(new TargetNotAllowed());
    const target = new URL(url.trim());
    const transport = target.protocol === "https:" ? https : http;
    return new Promise<number>((resolve, reject) => {
      const outgoing = transport.request(target, {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        agent: false,
        lookup: checkedLookup(targets, this.options.resolve ?? systemResolver),
      });
      const timer = setTimeout(() => outgoing.destroy(new Error(`timeout: no answer within ${timeoutMs} ms`)), timeoutMs);
      outgoing.on("response", (response) => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
        response.destroy();
      });
      outgoing.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.end(body);
    });
  }

  async #replay(organizationId: string, request: WebhookReplayRequested): Promise<EffectRequest[]> {
    const webhook = this.webhooks.byId(request.data.webhookId);
    if (!webhook || webhook.deletedAt) return [];
    const until = BigInt(request.data.untilPosition);
    const requests: EffectRequest[] = [];
    let after = BigInt(request.data.afterPosition);
    for (;;) {
      const batch = await this.store.readAll({ after, maxCount: 500, filter: { eventTypes: webhook.eventTypes } });
      for (const event of batch) {
        if (event.position > until) return requests;
        if (event.metadata.tenantId !== organizationId) continue;
        requests.push({
          key: `webhook:${webhook.id}:${event.id}:replay:${request.data.replayId}`,
          kind: this.kind,
          targetId: webhook.id,
          organizationId,
          trigger: event,
        });
      }
      if (batch.length < 500) return requests;
      after = batch[batch.length - 1]!.position;
    }
  }
}

/** The JSON integrators receive; its raw text is what the signature covers. */
export function deliveryBody(request: EffectRequest, attempt: number): string {
  const event = request.trigger;
  const metadata = event.metadata;
  return JSON.stringify({
    deliveryId: request.key,
    attempt,
    event: {
      id: event.id,
      type: event.type,
      position: event.position.toString(),
      streamName: event.streamName,
      category: streamCategory(event.streamName),
      revision: event.revision.toString(),
      organizationId: request.organizationId,
      occurredAt: metadata.occurredAt ?? event.recordedAt.toISOString(),
      recordedAt: event.recordedAt.toISOString(),
      actorId: metadata.actorId ?? null,
      correlationId: metadata.correlationId ?? null,
      causationId: metadata.causationId ?? null,
      data: JSON.parse(redactedJson(event.data)) as unknown,
    },
  });
}
