import { DateTime } from "luxon";
import { decodeRegistrationEvent } from "../../domain/sessions/events.js";
import type { RetryPolicy } from "../../domain/side-effects/retry-schedule.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import type { IdentityQueries } from "../../projections/identity.queries.js";
import type { SessionQueries } from "../../projections/sessions.queries.js";
import type { Mailer } from "../mail/mailer.js";
import { EffectFailure, type EffectRequest, type Reactor } from "./reactor.js";

/**
 * E-mails people about their seat: S9 (promoted from the waiting list) and S10 (the session was
 * canceled: one e-mail per participant, from the RegistrationCanceled the cancellation recorded).
 */
export class MailNotificationsReactor implements Reactor {
  readonly kind = "MAIL" as const;
  readonly retryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 60_000, maxDelayMs: 3_600_000 };

  constructor(
    private readonly mailer: Mailer,
    private readonly identity: IdentityQueries,
    private readonly sessions: SessionQueries,
    private readonly publicUrl: string,
  ) {}

  async effectsOf(event: RecordedEvent): Promise<EffectRequest[]> {
    const organizationId = event.metadata.tenantId;
    if (typeof organizationId !== "string" || !isNotified(event)) return [];
    const { userId } = decodeRegistrationEvent(event).data;
    return [{ key: `mail:${event.id}`, kind: this.kind, targetId: userId, organizationId, trigger: event }];
  }

  async perform(request: EffectRequest): Promise<{ statusCode: null }> {
    const user = this.identity.userById(request.targetId);
    if (!user) throw new EffectFailure(`User ${request.targetId} is not known`, null, true);
    const event = decodeRegistrationEvent(request.trigger);
    const record = this.sessions.byId(request.organizationId, event.data.sessionId);
    const title = record?.session.details.name ?? "your session";
    const schedule = record?.session.schedule;
    const when = schedule
      ? DateTime.fromISO(schedule.startsAt, { zone: schedule.timezone }).toFormat("cccc d LLLL yyyy, HH:mm ZZZZ")
      : null;
    const link = `${this.publicUrl}/sessions/${event.data.sessionId}`;
    const hello = `Hello ${user.displayName},`;
    if (event.type === "ParticipantPromotedFromWaitlist") {
      await this.mailer.send({
        to: user.email,
        subject: `You have a seat: ${title}`,
        text: [hello, "", `A seat freed up and it is yours: you are now registered for "${title}"${when ? ` (${when})` : ""}.`, link].join("\n"),
      });
    } else {
      const reason = record?.session.statusReason;
      await this.mailer.send({
        to: user.email,
        subject: `Canceled: ${title}`,
        text: [hello, "", `"${title}"${when ? ` (${when})` : ""} has been canceled.${reason ? ` Reason: ${reason}` : ""}`, link].join("\n"),
      });
    }
    return { statusCode: null };
  }
}

function isNotified(event: RecordedEvent): boolean {
  if (event.type === "ParticipantPromotedFromWaitlist") return true;
  return event.type === "RegistrationCanceled" && event.data.reason === "SESSION_CANCELED";
}
