import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { currencyCodeSchema, nonEmptyText, parseOrThrow, timeZoneSchema } from "../shared/validation.js";

export const ORGANIZATION_CATEGORY = "organization";
export const organizationStreamName = (organizationId: string) => `${ORGANIZATION_CATEGORY}-${organizationId}`;

export const organizationProfileSchema = z.object({
  name: nonEmptyText(200),
  timezone: timeZoneSchema,
  currency: currencyCodeSchema,
});

export type OrganizationCreated = {
  type: "OrganizationCreated";
  data: { organizationId: string; name: string; timezone: string; currency: string; createdBy: string; createdAt: string };
};
export type OrganizationEvent = OrganizationCreated;

export type CreateOrganization = {
  type: "CreateOrganization";
  organizationId: string;
  name: string;
  timezone: string;
  currency: string;
  context: CommandContext;
};
export type OrganizationCommand = CreateOrganization;

export type OrganizationState =
  | { kind: "Initial" }
  | { kind: "Existing"; organizationId: string; name: string; timezone: string; currency: string };

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  initialState: () => ({ kind: "Initial" }),
  evolve: (_state, event) => {
    switch (event.type) {
      case "OrganizationCreated": {
        const { organizationId, name, timezone, currency } = event.data;
        return { kind: "Existing", organizationId, name, timezone, currency };
      }
      default:
        return assertNever(event.type);
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case "CreateOrganization": {
        if (state.kind === "Existing") {
          if (state.organizationId !== command.context.organizationId) {
            throw new DomainError("ALREADY_EXISTS", `Organization ${command.organizationId} already exists`);
          }
          return [];
        }
        const profile = parseOrThrow(organizationProfileSchema, command);
        return [
          {
            type: "OrganizationCreated",
            data: {
              organizationId: command.organizationId,
              ...profile,
              createdBy: command.context.actorId,
              createdAt: command.context.now.toISOString(),
            },
          },
        ];
      }
      default:
        return assertNever(command.type);
    }
  },
};
