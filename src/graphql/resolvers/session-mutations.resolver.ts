import { randomUUID } from "node:crypto";
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { SessionCommand, SetSessionAudience } from "../../domain/sessions/commands.js";
import { sessionStreamName } from "../../domain/sessions/events.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { idSchema, parseOrThrow } from "../../domain/shared/validation.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { actorIdOf } from "../../domain/access/actor.js";
import { authorize as authorizeWithTable, type Operation } from "../../domain/access/authorization.js";
import { canSeeSession } from "../../domain/access/session-visibility.js";
import type { SessionState } from "../../domain/sessions/decider.js";
import { authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
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
import { Session } from "../types/session.type.js";
import { sessionAfterCommand } from "./session-view-loader.js";

/** One mutation per command of the session decider (S1–S7); each returns the updated session. */
@Resolver()
export class SessionMutationsResolver {
  @Mutation(() => Session, { description: "Create a session as DRAFT (default) or LEAD" })
  createSession(@Arg("input", () => CreateSessionInput) input: CreateSessionInput, @Ctx() context: GraphQLContext) {
    const actor = authorize(context, "createSession");
    const sessionId = input.idempotencyKey
      ? deterministicUuid(`session/${actor.organizationId}/${actorIdOf(actor)}/${input.idempotencyKey}`)
      : randomUUID();
    const details: ReturnType<typeof detailsFrom> & { name: string } = { ...detailsFrom(input), name: input.name };
    // A MANAGER who names no assignee becomes it, so they can go on setting the session up.
    if (details.assigneeId === undefined && actor.kind === "USER" && !actor.roles.includes("ADMIN")) {
      details.assigneeId = actor.userId;
    }
    const audience = input.audience ? audienceFrom(input.audience) : null;
    return execute(
      context,
      sessionId,
      "createSession",
      input,
      (ctx) => ({ type: "CreateSession", sessionId, context: ctx, status: input.status, mode: input.mode, details, audience }),
      undefined,
      { assigneeId: details.assigneeId as string | null | undefined, audience, audiencePrefix: "audience." },
    );
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
      { audience: audienceFrom(input) },
    );
  }

  @Mutation(() => Session, { description: "When: start and end, time zone, and when the attendance link opens" })
  setSessionSchedule(
    @Arg("input", () => SetSessionScheduleInput) input: SetSessionScheduleInput,
    @Ctx() context: GraphQLContext,
  ) {
    const actor = requireActor(context);
    const timezone = input.timezone ?? context.app.identityQueries.organization(actor.organizationId)?.timezone ?? "UTC";
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
 * Decide and append, wait for the read model (read-your-writes), return the session.
 * `fieldPrefix` maps the domain's field names (e.g. `format.link`) onto this mutation's flat input.
 */
async function execute(
  context: GraphQLContext,
  sessionId: string,
  operation: Operation,
  input: { idempotencyKey?: string | null },
  build: (ctx: CommandContext) => SessionCommand,
  fieldPrefix?: string,
  references: References = {},
): Promise<Session> {
  const actor = requireActor(context);
  parseOrThrow(idSchema, sessionId, "sessionId");
  const command = build(commandContext(context, operation, input));
  // Who may act depends on the session (its assignee), so the check runs on the state loaded for
  // the decision; only then are the users and teams it names looked up (no probing by outsiders).
  const guard = async (state: SessionState) => {
    if (operation !== "createSession") {
      if (state.kind === "Initial" || !canSeeSession(actor, state.session)) throw notFound("Session", sessionId);
      authorizeWithTable(actor, operation, { sessionAssigneeId: state.session.details.assigneeId });
    }
    await checkReferences(context, references);
  };
  let result;
  try {
    result = await context.app.sessions.handle(sessionStreamName(sessionId), command, guard);
  } catch (error) {
    if (fieldPrefix && error instanceof ValidationError && error.field.startsWith(fieldPrefix)) {
      throw new ValidationError(error.field.slice(fieldPrefix.length), error.message.slice(error.field.length + 2));
    }
    throw error;
  }
  const caughtUp = await context.app.caughtUp(result.position);
  return sessionAfterCommand(context, sessionId, result, caughtUp);
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

interface References {
  assigneeId?: string | null;
  trainerId?: string | null;
  hostId?: string | null;
  audience?: SetSessionAudience["audience"] | null;
  /** How the input names the audience's fields (`audience.` in createSession). */
  audiencePrefix?: string;
}

/** Users and teams a session names must be of the caller's organization: NOT_FOUND otherwise, like any id. */
async function checkReferences(context: GraphQLContext, refs: References): Promise<void> {
  const prefix = refs.audiencePrefix ?? "";
  const privateAudience = refs.audience?.mode === "PRIVATE" ? refs.audience : null;
  const users: [string, string | null | undefined][] = [
    ["assigneeId", refs.assigneeId],
    ["trainerId", refs.trainerId],
    ["hostId", refs.hostId],
    ...(Array.isArray(privateAudience?.targetUserIds) ? privateAudience.targetUserIds : []).map(
      (id, i) => [`${prefix}targetUserIds.${i}`, id] as [string, string],
    ),
  ];
  for (const [field, id] of users) {
    if (typeof id === "string" && id.trim() !== "" && !(await context.loaders.userById.load(id))) {
      throw new DomainError("NOT_FOUND", `${field}: names no user of your organization (${id})`, { field });
    }
  }
  const teamIds = Array.isArray(privateAudience?.targetTeamIds) ? privateAudience.targetTeamIds : [];
  for (const [i, id] of teamIds.entries()) {
    if (typeof id === "string" && id.trim() !== "" && !(await context.loaders.teamById.load(id))) {
      const field = `${prefix}targetTeamIds.${i}`;
      throw new DomainError("NOT_FOUND", `${field}: names no team of your organization (${id})`, { field });
    }
  }
}
