import { createHash } from "node:crypto";
import { DateTime } from "luxon";
import type { Session } from "../../domain/sessions/decider.js";
import { decodeRegistrationEvent } from "../../domain/sessions/events.js";
import type { RetryPolicy } from "../../domain/side-effects/retry-schedule.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import type { IdentityQueries } from "../../projections/identity.queries.js";
import type { SessionQueries } from "../../projections/sessions.queries.js";
import type { Mailer } from "../mail/mailer.js";
import { EffectFailure, type EffectRequest, type Reactor } from "./reactor.js";

/** The key of the confirmation e-mail of a registration (N1): one per registration, whatever happens next. */
export const registrationConfirmationKey = (registrationId: string) => `mail:registration:${registrationId}`;

/** The key of a private session's invitation to one e-mail address (hashed: no address in stream names). */
export const sessionInvitationKey = (sessionId: string, email: string) =>
  `mail:session-invitation:${sessionId}:${createHash("sha256").update(email).digest("hex").slice(0, 32)}`;

const OPEN = new Set(["PLANNED", "CONFIRMED"]);

/**
 * N1 e-mails about sessions, each sent once per cause: the registration confirmation (a seat, or
 * a place on the waiting list: one per registration), the seat freed up for someone waiting (S9),
 * the cancellation of a session to each of its participants (S10), and the invitation of each
 * e-mail address a private session invites, once it is planned (S5; addresses added while it is
 * open are invited then).
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
    if (typeof organizationId !== "string") return [];
    const request = (key: string, targetId: string): EffectRequest => ({ key, kind: this.kind, targetId, organizationId, trigger: event });
    switch (event.type) {
      case "ParticipantRegistered":
      case "ParticipantWaitlisted": {
        const { registrationId, userId } = decodeRegistrationEvent(event).data;
        return [request(registrationConfirmationKey(registrationId), userId)];
      }
      case "ParticipantPromotedFromWaitlist":
        return [request(`mail:${event.id}`, decodeRegistrationEvent(event).data.userId)];
      case "RegistrationCanceled": {
        const canceled = decodeRegistrationEvent(event);
        return canceled.type === "RegistrationCanceled" && canceled.data.reason === "SESSION_CANCELED"
          ? [request(`mail:${event.id}`, canceled.data.userId)]
          : [];
      }
      case "SessionPlanned":
      case "SessionAudienceSet": {
        // The read models include the event: the session as it is now says whom it invites.
        const sessionId = String(event.data.sessionId);
        const session = this.sessions.byId(organizationId, sessionId)?.session;
        if (!session || !OPEN.has(session.status) || session.audience?.mode !== "PRIVATE") return [];
        return session.audience.invitedEmails.map((email) => request(sessionInvitationKey(sessionId, email), sessionId));
      }
      default:
        return [];
    }
  }

  async perform(request: EffectRequest): Promise<{ statusCode: null }> {
    if (request.key.startsWith("mail:session-invitation:")) return this.invite(request);
    const user = this.identity.userById(request.targetId);
    if (!user) throw new EffectFailure(`User ${request.targetId} is not known`, null, true);
    const event = decodeRegistrationEvent(request.trigger);
    const session = this.sessions.byId(request.organizationId, event.data.sessionId)?.session;
    const { title, when, link } = this.describe(session, event.data.sessionId);
    const hello = `Hello ${user.displayName},`;
    const mail = (subject: string, ...lines: string[]) => this.mailer.send({ to: user.email, subject, text: [hello, "", ...lines, link].join("\n") });
    switch (event.type) {
      case "ParticipantRegistered":
        await mail(`Registered: ${title}`, `You are registered for "${title}"${when}. We look forward to seeing you.`);
        break;
      case "ParticipantWaitlisted":
        await mail(
          `On the waiting list: ${title}`,
          `"${title}"${when} is full: you are on its waiting list. We will e-mail you as soon as a seat is yours.`,
        );
        break;
      case "ParticipantPromotedFromWaitlist":
        await mail(`You have a seat: ${title}`, `A seat freed up and it is yours: you are now registered for "${title}"${when}.`);
        break;
      default: {
        const reason = session?.statusReason;
        await mail(`Canceled: ${title}`, `"${title}"${when} has been canceled.${reason ? ` Reason: ${reason}` : ""}`);
      }
    }
    return { statusCode: null };
  }

  /** A private session's invitation: to the address of the audience the key names, if it is still invited. */
  private async invite(request: EffectRequest): Promise<{ statusCode: null }> {
    const sessionId = request.targetId;
    const session = this.sessions.byId(request.organizationId, sessionId)?.session;
    if (!session || !OPEN.has(session.status)) throw new EffectFailure(`Session ${sessionId} is no longer open`, null, true);
    const invited = session.audience?.mode === "PRIVATE" ? session.audience.invitedEmails : [];
    const email = invited.find((address) => sessionInvitationKey(sessionId, address) === request.key);
    if (!email) throw new EffectFailure(`The address is no longer invited to session ${sessionId}`, null, true);
    const { title, when, link } = this.describe(session, sessionId);
    await this.mailer.send({
      to: email,
      subject: `You are invited: ${title}`,
      text: ["Hello,", "", `You are invited to "${title}"${when}. Sign in or create your account with this address to register.`, link].join(
        "\n",
      ),
    });
    return { statusCode: null };
  }

  private describe(session: Session | undefined, sessionId: string) {
    const title = session?.details.name ?? "your session";
    const schedule = session?.schedule;
    const when = schedule
      ? ` (${DateTime.fromISO(schedule.startsAt, { zone: schedule.timezone }).toFormat("cccc d LLLL yyyy, HH:mm ZZZZ")})`
      : "";
    return { title, when, link: `${this.publicUrl}/sessions/${sessionId}` };
  }
}
