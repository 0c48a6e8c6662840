// POST /api/v1/keys/rotate: start signing with a new control-plane key after it has been published.
import { createRoute, z } from "@hono/zod-openapi";
import { rotateSigningKey } from "../../services/signing-keys.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext, Timestamp } from "../common.ts";

const Input = z
  .object({
    activateAfterSeconds: z
      .number({ error: "expected a number of seconds" })
      .int("expected whole seconds")
      .min(0, "expected 0 or more seconds")
      .max(7 * 86_400, "expected at most 7 days")
      .optional()
      .openapi({
        description:
          "How long the new key is published before it signs (default PORTCULLIS_KEY_ACTIVATION_MINUTES, 10 min). " +
          "Keep it longer than snapshot propagation to every node and tool owners' JWKS caching",
        example: 600,
      }),
  })
  .strict()
  .openapi("KeyRotationInput");

const Rotation = z
  .object({
    kid: z.string().openapi({ description: "The new key" }),
    activatesAt: Timestamp.openapi({ description: "When the new key starts signing" }),
    previousRetiresAt: Timestamp.openapi({
      description: "When the current key stops verifying: after every token it signed has expired",
    }),
  })
  .openapi("KeyRotation");

export const route = createRoute({
  method: "post",
  path: "/api/v1/keys/rotate",
  operationId: "rotateSigningKey",
  tags: ["keys"],
  summary: "Rotate the control plane's signing key",
  description:
    "Publishes a new key at once (JWKS, snapshots) and activates it after a delay; the current key keeps verifying " +
    "until the tokens it signed have expired. Refused (409) while an earlier rotation is still pending.",
  request: jsonBody(Input),
  responses: { 201: jsonResponse(Rotation, "The rotation"), ...errorResponses },
});

export const permission = "keys:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const rotation = await rotateSigningKey({
      ctx: serviceContext(c),
      activateAfterSeconds: c.req.valid("json").activateAfterSeconds,
    });
    return c.json(
      {
        kid: rotation.kid,
        activatesAt: rotation.activatesAt.toISOString(),
        previousRetiresAt: rotation.previousRetiresAt.toISOString(),
      },
      201,
    );
  });
}
