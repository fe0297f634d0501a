import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { Operation } from "../../domain/access/authorization.js";
import type { CreateSession, SetSessionAudience } from "../../domain/sessions/decider.js";
import type { References, SessionChange, SessionOutcome } from "../../domain/sessions/use-cases.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { ValidationError } from "../../domain/shared/errors.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { answerAfterWrite } from "../after-write.js";
import { commandContext, requireActor, type GraphQLContext } from "../context.js";
import { createdId } from "../idempotency-keys.js";
import {
  AttachSessionDocumentInput,
  CancelSessionInput,
  ChangeSessionStatusInput,
  ConfirmSessionInput,
  CreateSessionInput,
  EditSessionDetailsInput,
  RemoveSessionDocumentInput,
  SessionAudienceInput,
  SessionDetailsFields,
  SetSessionAudienceInput,
  SetSessionFormatInput,
  SetSessionScheduleInput,
  SetSessionSurveyInput,
} from "../inputs/session.input.js";
import { Session, toSessionView } from "../types/session.type.js";

/** One mutation per command of the session decider (S1–S7); each returns the updated session. */
@Resolver()
export class SessionMutationsResolver {
  @Mutation(() => Session, { description: "Create a session as DRAFT (default) or LEAD" })
  async createSession(@Arg("input", () => CreateSessionInput) input: CreateSessionInput, @Ctx() context: GraphQLContext) {
    const actor = requireActor(context);
    const sessionId = createdId(context, "session", input);
    const audience = input.audience ? audienceFrom(input.audience) : null;
    const command: CreateSession = {
      type: "CreateSession",
      sessionId,
      context: commandContext(context, "createSession", input),
      status: input.status,
      mode: input.mode,
      details: { ...detailsFrom(input), name: input.name },
      audience,
    };
    const outcome = await context.app.useCases.sessions.createSession(actor, command, {
      ...audienceReferences(audience),
      audiencePrefix: "audience.",
    });
    return sessionAnswer(context, outcome);
  }

  @Mutation(() => Session, { description: "Change what the session is (name, texts, prices, language…): omitted fields stay, null clears" })
  editSessionDetails(
    @Arg("input", () => EditSessionDetailsInput) input: EditSessionDetailsInput,
    @Ctx() context: GraphQLContext,
  ) {
    if (input.name === null) throw new ValidationError("name", "cannot be removed");
    const changes = { ...detailsFrom(input), ...(input.name !== undefined ? { name: input.name } : {}) };
    return execute(
      context,
      input.sessionId,
      "editSessionDetails",
      input,
      (ctx) => ({ type: "EditSessionDetails", sessionId: input.sessionId, context: ctx, changes }),
      undefined,
      { assigneeId: input.assigneeId },
    );
  }

  @Mutation(() => Session, { description: "How it is given: webinar, classroom or online, with the fields each needs" })
  setSessionFormat(@Arg("input", () => SetSessionFormatInput) input: SetSessionFormatInput, @Ctx() context: GraphQLContext) {
    const format =
      input.kind === "WEBINAR"
        ? { kind: input.kind, link: input.link, trainerId: input.trainerId, hostId: input.hostId ?? null }
        : input.kind === "CLASSROOM"
          ? {
              kind: input.kind,
              trainerId: input.trainerId,
              hostId: input.hostId ?? null,
              place: input.place,
              address: input.address,
              notes: input.notes ?? null,
              helpfulLink: input.helpfulLink ?? null,
              courseIds: input.courseIds ?? [],
            }
          : {
              kind: input.kind,
              trainerId: input.trainerId ?? null,
              courseId: input.courseId ?? null,
              journeyId: input.journeyId ?? null,
            };
    return execute(
      context,
      input.sessionId,
      "setSessionFormat",
      input,
      (ctx) => ({ type: "SetSessionFormat", sessionId: input.sessionId, context: ctx, format: format as never }),
      "format.",
      { trainerId: input.trainerId, hostId: input.hostId },
    );
  }

  @Mutation(() => Session, { description: "Who may join: public with a participant range, or private with targets" })
  setSessionAudience(
    @Arg("input", () => SetSessionAudienceInput) input: SetSessionAudienceInput,
    @Ctx() context: GraphQLContext,
  ) {
    return execute(
      context,
      input.sessionId,
      "setSessionAudience",
      input,
      (ctx) => ({ type: "SetSessionAudience", sessionId: input.sessionId, context: ctx, audience: audienceFrom(input) }),
      "audience.",
      audienceReferences(audienceFrom(input)),
    );
  }

  @Mutation(() => Session, { description: "When: start and end, time zone, and when the attendance link opens" })
  setSessionSchedule(
    @Arg("input", () => SetSessionScheduleInput) input: SetSessionScheduleInput,
    @Ctx() context: GraphQLContext,
  ) {
    const timezone = input.timezone ?? context.app.useCases.sessions.defaultTimezone(requireActor(context).organizationId);
    return execute(
      context,
      input.sessionId,
      "setSessionSchedule",
      input,
      (ctx) => ({
        type: "SetSessionSchedule",
        sessionId: input.sessionId,
        context: ctx,
        schedule: {
          startsAt: input.startsAt.toISOString(),
          endsAt: input.endsAt.toISOString(),
          timezone,
          attendanceConfirmationOffsetMinutes: input.attendanceConfirmationOffsetMinutes,
        },
      }),
      "schedule.",
    );
  }

  @Mutation(() => Session, { description: "A document (name + URL) shown to participants holding a seat" })
  attachSessionDocument(
    @Arg("input", () => AttachSessionDocumentInput) input: AttachSessionDocumentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return execute(
      context,
      input.sessionId,
      "attachSessionDocument",
      input,
      (ctx) => ({
        type: "AttachSessionDocument",
        sessionId: input.sessionId,
        context: ctx,
        document: { documentId: deterministicUuid(`document/${ctx.commandId}`), name: input.name, url: input.url },
      }),
      "document.",
    );
  }

  @Mutation(() => Session)
  removeSessionDocument(
    @Arg("input", () => RemoveSessionDocumentInput) input: RemoveSessionDocumentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return execute(context, input.sessionId, "removeSessionDocument", input, (ctx) => ({
      type: "RemoveSessionDocument",
      sessionId: input.sessionId,
      context: ctx,
      documentId: input.documentId,
    }));
  }

  @Mutation(() => Session, { description: "The survey shown to participants after the session; null removes it" })
  setSessionSurvey(@Arg("input", () => SetSessionSurveyInput) input: SetSessionSurveyInput, @Ctx() context: GraphQLContext) {
    return execute(context, input.sessionId, "setSessionSurvey", input, (ctx) => ({
      type: "SetSessionSurvey",
      sessionId: input.sessionId,
      context: ctx,
      survey: input.survey ? { title: input.survey.title, url: input.survey.url } : null,
    }));
  }

  @Mutation(() => Session, { description: "DRAFT → LEAD" })
  markSessionAsLead(@Arg("input", () => ChangeSessionStatusInput) input: ChangeSessionStatusInput, @Ctx() context: GraphQLContext) {
    return execute(context, input.sessionId, "markSessionAsLead", input, (ctx) => ({
      type: "MarkSessionAsLead",
      sessionId: input.sessionId,
      context: ctx,
      reason: input.reason,
    }));
  }

  @Mutation(() => Session, { description: "LEAD → DRAFT" })
  returnSessionToDraft(
    @Arg("input", () => ChangeSessionStatusInput) input: ChangeSessionStatusInput,
    @Ctx() context: GraphQLContext,
  ) {
    return execute(context, input.sessionId, "returnSessionToDraft", input, (ctx) => ({
      type: "ReturnSessionToDraft",
      sessionId: input.sessionId,
      context: ctx,
      reason: input.reason,
    }));
  }

  @Mutation(() => Session, { description: "DRAFT or LEAD → PLANNED: validated, visible, open for registration" })
  planSession(@Arg("input", () => ChangeSessionStatusInput) input: ChangeSessionStatusInput, @Ctx() context: GraphQLContext) {
    return execute(context, input.sessionId, "planSession", input, (ctx) => ({
      type: "PlanSession",
      sessionId: input.sessionId,
      context: ctx,
      reason: input.reason,
    }));
  }

  @Mutation(() => Session, { description: "PLANNED → CONFIRMED: the owner confirms it will take place before the minimum is reached" })
  confirmSession(@Arg("input", () => ConfirmSessionInput) input: ConfirmSessionInput, @Ctx() context: GraphQLContext) {
    return execute(context, input.sessionId, "confirmSession", input, (ctx) => ({
      type: "ConfirmSession",
      sessionId: input.sessionId,
      context: ctx,
      reason: input.reason,
    }));
  }

  @Mutation(() => Session, { description: "Any status but CANCELED → CANCELED, with a reason" })
  cancelSession(@Arg("input", () => CancelSessionInput) input: CancelSessionInput, @Ctx() context: GraphQLContext) {
    return execute(context, input.sessionId, "cancelSession", input, (ctx) => ({
      type: "CancelSession",
      sessionId: input.sessionId,
      context: ctx,
      reason: input.reason,
    }));
  }
}

/**
 * One session command through its use case, answered with the session.
 * `fieldPrefix` maps the domain's field names (e.g. `format.link`) onto this mutation's flat input.
 */
async function execute(
  context: GraphQLContext,
  sessionId: string,
  operation: Operation,
  input: { idempotencyKey?: string | null },
  build: (ctx: CommandContext) => SessionChange,
  fieldPrefix?: string,
  references: References = {},
): Promise<Session> {
  const actor = requireActor(context);
  const command = build(commandContext(context, operation, input));
  try {
    return await sessionAnswer(context, await context.app.useCases.sessions.changeSession(actor, command, references));
  } catch (error) {
    if (fieldPrefix && error instanceof ValidationError && error.field.startsWith(fieldPrefix)) {
      throw new ValidationError(error.field.slice(fieldPrefix.length), error.message.slice(error.field.length + 2));
    }
    throw error;
  }
}

/** The session decided, from the read model once caught up, else from the decision. */
function sessionAnswer(context: GraphQLContext, outcome: SessionOutcome): Promise<Session> {
  const { session, counts } = outcome.answer;
  return answerAfterWrite(
    context,
    outcome,
    () => {
      const record = context.app.sessionQueries.byId(session.organizationId, session.id);
      return record && toSessionView(record.session, record);
    },
    () => toSessionView(session, { revision: outcome.revision!, updatedAt: context.app.clock.now().toISOString(), counts }),
  );
}

/** The users and teams a private audience names (checked to be of the caller's organization). */
function audienceReferences(audience: SetSessionAudience["audience"] | null): References {
  if (audience?.mode !== "PRIVATE") return {};
  const ids = (list: unknown) => (Array.isArray(list) ? list : []);
  return { targetUserIds: ids(audience.targetUserIds), targetTeamIds: ids(audience.targetTeamIds) };
}

/** Only the fields the caller sent: undefined means "leave as is". */
function detailsFrom(input: SessionDetailsFields) {
  const fields = {
    summary: input.summary,
    description: input.description,
    assigneeId: input.assigneeId,
    category: input.category,
    imageUrl: input.imageUrl,
    language: input.language,
    availableCountries: input.availableCountries === null ? [] : input.availableCountries,
    currency: input.currency,
    contentAccessibleBeforePayment: input.contentAccessibleBeforePayment ?? undefined,
    price: input.price,
    promotionalPrice: input.promotionalPrice,
    promoStartsAt: input.promoStartsAt === undefined ? undefined : (input.promoStartsAt?.toISOString() ?? null),
    promoEndsAt: input.promoEndsAt === undefined ? undefined : (input.promoEndsAt?.toISOString() ?? null),
    memberPrice: input.memberPrice,
    vatCategory: input.vatCategory,
    privateNote: input.privateNote,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Raw values: the decider validates them (missing min/max become "is required"). */
function audienceFrom(input: SessionAudienceInput): SetSessionAudience["audience"] {
  return (input.mode === "PUBLIC"
    ? {
        mode: input.mode,
        minParticipants: input.minParticipants,
        maxParticipants: input.maxParticipants,
        waitlistEnabled: input.waitlistEnabled ?? undefined,
      }
    : {
        mode: input.mode,
        targetTeamIds: input.targetTeamIds ?? [],
        targetUserIds: input.targetUserIds ?? [],
        invitedEmails: input.invitedEmails ?? [],
      }) as SetSessionAudience["audience"];
}
