/** S8–S10 and S6 attendance: what happens to the people on a session, on the session's own stream. */

export const REGISTRATION_STATUSES = ["REGISTERED", "WAITLISTED", "CANCELED"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const CANCELLATION_REASONS = ["BY_PARTICIPANT", "BY_STAFF", "SESSION_CANCELED"] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const ATTENDANCE_METHODS = ["LINK", "STAFF"] as const;
export type AttendanceMethod = (typeof ATTENDANCE_METHODS)[number];

export const PROMOTION_REASONS = ["SEAT_FREED", "CAPACITY_RAISED"] as const;
export type PromotionReason = (typeof PROMOTION_REASONS)[number];

/** A seat was taken (S9: only while fewer than max participants hold one). */
export type ParticipantRegistered = {
  type: "ParticipantRegistered";
  data: { sessionId: string; registrationId: string; userId: string; registeredBy: string; registeredAt: string };
};

/** The session was full: the person waits, first come first served. */
export type ParticipantWaitlisted = {
  type: "ParticipantWaitlisted";
  data: { sessionId: string; registrationId: string; userId: string; registeredBy: string; waitlistedAt: string };
};

/** The first waiting person got the seat that freed, in the same step that freed it. */
export type ParticipantPromotedFromWaitlist = {
  type: "ParticipantPromotedFromWaitlist";
  data: { sessionId: string; registrationId: string; userId: string; reason: PromotionReason; promotedAt: string };
};

export type RegistrationCanceled = {
  type: "RegistrationCanceled";
  data: {
    sessionId: string;
    registrationId: string;
    userId: string;
    previousStatus: Exclude<RegistrationStatus, "CANCELED">;
    reason: CancellationReason;
    comment: string | null;
    canceledBy: string;
    canceledAt: string;
  };
};

/** S6: the participant opened the attendance link in its window, or staff marked them. */
export type AttendanceConfirmed = {
  type: "AttendanceConfirmed";
  data: {
    sessionId: string;
    registrationId: string;
    userId: string;
    method: AttendanceMethod;
    confirmedBy: string;
    confirmedAt: string;
  };
};

export type RegistrationEvent =
  | ParticipantRegistered
  | ParticipantWaitlisted
  | ParticipantPromotedFromWaitlist
  | RegistrationCanceled
  | AttendanceConfirmed;

export const REGISTRATION_EVENT_TYPES = [
  "ParticipantRegistered",
  "ParticipantWaitlisted",
  "ParticipantPromotedFromWaitlist",
  "RegistrationCanceled",
  "AttendanceConfirmed",
] as const satisfies readonly RegistrationEvent["type"][];

export function isRegistrationEvent(event: { type: string }): event is RegistrationEvent {
  return (REGISTRATION_EVENT_TYPES as readonly string[]).includes(event.type);
}
