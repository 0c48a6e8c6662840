// Wire shapes of gateway groups: a name, a description and settings shared by the group's data-plane nodes.
import { z } from "@hono/zod-openapi";
import type { GatewayGroupRow } from "../../services/gateway-groups.ts";
import { Description, JsonObject, pageOf, ResourceName, SearchQuery, Timestamps, timestampsOf } from "../common.ts";

export const GatewayGroupInput = z
  .object({
    name: ResourceName.openapi({ example: "prod-eu" }),
    description: Description.optional(),
    settings: JsonObject.optional().openapi({
      description: "Settings the group's nodes share",
      example: { region: "eu-west-1" },
    }),
  })
  .strict()
  .openapi("GatewayGroupInput");

export const GatewayGroupPatch = GatewayGroupInput.partial().strict().openapi("GatewayGroupPatch");

export const GatewayGroupQuery = { q: SearchQuery("Name contains") };

export const GatewayGroup = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    settings: z.record(z.string(), z.unknown()),
    ...Timestamps,
  })
  .openapi("GatewayGroup");

export const GatewayGroupPage = pageOf(GatewayGroup, "GatewayGroupPage");

export function gatewayGroupOut(g: GatewayGroupRow): z.infer<typeof GatewayGroup> {
  return { id: g.id, name: g.name, description: g.description, settings: g.settings, ...timestampsOf(g) };
}
