import type { z } from "zod";
import type { CommandContext } from "../shared/decider.js";
import type {
  SessionMode,
  sessionAudienceSchema,
  sessionDetailsSchema,
  sessionDocumentSchema,
  sessionFormatSchema,
  sessionScheduleSchema,
  sessionSurveySchema,
} from "./values.js";

/**
 * Commands carry raw input (the decider validates it with the zod schemas of values.ts),
 * plus the context: who, when, which organization.
 */
type DetailsInput = z.input<typeof sessionDetailsSchema>;

type Base<T extends string> = { type: T; sessionId: string; context: CommandContext };

export type CreateSession = Base<"CreateSession"> & {
  status: "DRAFT" | "LEAD";
  mode: SessionMode;
  details: Pick<DetailsInput, "name"> & Partial<DetailsInput>;
  audience?: z.input<typeof sessionAudienceSchema> | null;
};
export type EditSessionDetails = Base<"EditSessionDetails"> & { changes: Partial<DetailsInput> };
export type SetSessionFormat = Base<"SetSessionFormat"> & { format: z.input<typeof sessionFormatSchema> };
export type SetSessionAudience = Base<"SetSessionAudience"> & { audience: z.input<typeof sessionAudienceSchema> };
export type SetSessionSchedule = Base<"SetSessionSchedule"> & { schedule: z.input<typeof sessionScheduleSchema> };
export type AttachSessionDocument = Base<"AttachSessionDocument"> & { document: z.input<typeof sessionDocumentSchema> };
export type RemoveSessionDocument = Base<"RemoveSessionDocument"> & { documentId: string };
export type SetSessionSurvey = Base<"SetSessionSurvey"> & { survey: z.input<typeof sessionSurveySchema> | null };

export type MarkSessionAsLead = Base<"MarkSessionAsLead"> & { reason?: string | null };
export type ReturnSessionToDraft = Base<"ReturnSessionToDraft"> & { reason?: string | null };
export type PlanSession = Base<"PlanSession"> & { reason?: string | null };
/** Manual confirmation by an admin or the assignee (S4 VALIDATED_BY_OWNER). */
export type ConfirmSession = Base<"ConfirmSession">;
export type CancelSession = Base<"CancelSession"> & { reason: string };

/** Who is joining, as much as S5 (audience) and S8 (country) need to decide. */
export interface Participant {
  userId: string;
  email: string;
  country: string | null;
  teamIds: readonly string[];
}

/** S8/S9: takes a seat, or a place on the waitlist; the same person again changes nothing. */
export type RegisterForSession = Base<"RegisterForSession"> & { registrationId: string; participant: Participant };
/** By the participant (context.actorId is theirs) or by staff. */
export type CancelRegistration = Base<"CancelRegistration"> & { registrationId: string; comment?: string | null };
/** S6: by the attendance link (in its window) or by staff; names the registration or its participant. */
export type ConfirmAttendance = Base<"ConfirmAttendance"> & {
  method: "LINK" | "STAFF";
  registrationId?: string;
  userId?: string;
};

export type RegistrationCommand = RegisterForSession | CancelRegistration | ConfirmAttendance;

export type SessionTransitionCommand =
  | MarkSessionAsLead
  | ReturnSessionToDraft
  | PlanSession
  | ConfirmSession
  | CancelSession;

export type SessionCommand =
  | CreateSession
  | EditSessionDetails
  | SetSessionFormat
  | SetSessionAudience
  | SetSessionSchedule
  | AttachSessionDocument
  | RemoveSessionDocument
  | SetSessionSurvey
  | SessionTransitionCommand
  | RegistrationCommand;
