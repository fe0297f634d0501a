import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { priceToPay } from "../../domain/payments/price-to-pay.js";
import { requireActor, type GraphQLContext } from "../context.js";
import { PriceToPay, toPriceToPayView } from "../types/price-to-pay.type.js";
import { Session } from "../types/session.type.js";

/** What a session costs the caller (P1, P2). */
@Resolver(() => Session)
export class SessionPriceResolver {
  @FieldResolver(() => PriceToPay, {
    nullable: true,
    description:
      "What you pay for this session now: the promotional price within its period, the member price if you are a member, the lowest when several apply; net, VAT and gross. Null when the session is free",
  })
  async priceToPay(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<PriceToPay | null> {
    if (!session.priceList) return null;
    const actor = requireActor(context);
    const [organization, buyer] = await Promise.all([
      context.loaders.organization.load(actor.organizationId),
      actor.kind === "USER" ? context.loaders.userById.load(actor.userId) : null,
    ]);
    const settings = organization?.settings;
    const category = settings?.vatCategories.find((vat) => vat.name === session.vatCategory);
    return toPriceToPayView(
      priceToPay(session.priceList, {
        now: context.app.clock.now(),
        isMember: buyer?.isMember ?? false,
        vat: category ? { category: category.name, ratePercent: category.ratePercent } : null,
        pricesIncludeVat: settings?.pricesIncludeVat ?? true,
      }),
    );
  }
}
