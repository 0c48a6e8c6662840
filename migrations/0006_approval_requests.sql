ALTER TABLE "approvals" ADD COLUMN "operator_email" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "agent_name" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "approved_as" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "requested_by_node" uuid;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "notify_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "notify_error" text;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_pending_binding_uq" ON "approvals" USING btree ("session_id","agent_id","operator_sub","tool","args_sha256") WHERE status = 'pending';