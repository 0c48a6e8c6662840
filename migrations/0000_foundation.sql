CREATE TYPE "public"."agent_trust" AS ENUM('first_party', 'third_party');--> statement-breakpoint
CREATE TYPE "public"."approval_status" AS ENUM('pending', 'approved', 'rejected', 'expired', 'consumed');--> statement-breakpoint
CREATE TYPE "public"."policy_effect" AS ENUM('allow', 'deny', 'require_approval');--> statement-breakpoint
CREATE TYPE "public"."policy_mode" AS ENUM('enforce', 'shadow');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'security', 'platform', 'auditor');--> statement-breakpoint
CREATE TYPE "public"."tool_status" AS ENUM('active', 'quarantined', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."upstream_kind" AS ENUM('mcp', 'http', 'a2a');--> statement-breakpoint
CREATE SEQUENCE "public"."config_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "admin_audit_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"before_hash" text,
	"after_hash" text,
	"request_id" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_credentials" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agent_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"client_id" text NOT NULL,
	"secret_hash" text,
	"public_jwk" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "agent_credentials_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"owner" text NOT NULL,
	"trust" "agent_trust" NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"allowed_delegates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agents_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" "role" NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"operator_sub" text NOT NULL,
	"delegation_chain" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tool" text NOT NULL,
	"args_sha256" text NOT NULL,
	"args" jsonb NOT NULL,
	"policy_id" text,
	"approvers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" "approval_status" DEFAULT 'pending' NOT NULL,
	"request_event_id" text,
	"execution_event_id" text,
	"decided_by" text,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_alarms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"node_id" uuid,
	"stream_id" uuid,
	"seq" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"evidence" text
);
--> statement-breakpoint
CREATE TABLE "audit_batches" (
	"stream_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"node_id" uuid NOT NULL,
	"jws" text NOT NULL,
	"batch_hash" text NOT NULL,
	"prev_hash" text NOT NULL,
	"records_sha256" text NOT NULL,
	"event_count" integer NOT NULL,
	"config_version" bigint,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_batches_stream_id_seq_pk" PRIMARY KEY("stream_id","seq")
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"batch_count" bigint NOT NULL,
	"merkle_root" text NOT NULL,
	"jws" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"stream_id" uuid NOT NULL,
	"batch_seq" bigint NOT NULL,
	"event_seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"session_id" text,
	"agent_id" text,
	"operator_sub" text,
	"tool" text,
	"decision" text,
	"outcome" text,
	"latency_us" integer,
	"record" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_streams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"node_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"last_batch_hash" text,
	"status" text DEFAULT 'open' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bootstrap_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"group_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_node" uuid,
	CONSTRAINT "bootstrap_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "config_versions" (
	"version" bigint PRIMARY KEY NOT NULL,
	"group_id" uuid,
	"sha256" text NOT NULL,
	"signature" text NOT NULL,
	"resources" "bytea" NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "console_users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"role" "role" NOT NULL,
	"password_hash" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "console_users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "dp_nodes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"group_id" uuid NOT NULL,
	"name" text NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dp_version" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	"connected" boolean DEFAULT false NOT NULL,
	"connected_to" text,
	"serving_version" bigint,
	"serving_sha256" text,
	"last_nack_version" bigint,
	"last_nack_reason" text,
	"last_nack_at" timestamp with time zone,
	"spool_depth" integer DEFAULT 0 NOT NULL,
	"audit_lag_ms" integer,
	"last_apply_ms" integer,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "gateway_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gateway_groups_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "gateway_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_sub" text NOT NULL,
	"agent_id" uuid,
	"parent_session_id" text,
	"delegation" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "node_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"node_id" uuid NOT NULL,
	"use" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "operators" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"email" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"department" text,
	"manager" text,
	"cost_center" text,
	"groups" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "operators_subject_unique" UNIQUE("subject")
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "policies_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"policy_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"target" jsonb NOT NULL,
	"effect" "policy_effect" NOT NULL,
	"condition" text DEFAULT '' NOT NULL,
	"mode" "policy_mode" NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"content_hash" text NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"rolled_back_from" integer,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_versions_policy_id_version_pk" PRIMARY KEY("policy_id","version")
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"use" text NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_key_ciphertext" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activates_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tools" (
	"id" uuid PRIMARY KEY NOT NULL,
	"upstream_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"input_schema" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"annotations" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"http" jsonb,
	"sensitive" boolean DEFAULT false NOT NULL,
	"status" "tool_status" DEFAULT 'active' NOT NULL,
	"pinned_hash" text NOT NULL,
	"pending_definition" jsonb,
	"pending_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trusted_issuers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"issuer" text NOT NULL,
	"jwks_url" text,
	"static_jwks" jsonb,
	"audience" text,
	"claim_mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trusted_issuers_name_unique" UNIQUE("name"),
	CONSTRAINT "trusted_issuers_issuer_unique" UNIQUE("issuer")
);
--> statement-breakpoint
CREATE TABLE "upstreams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" "upstream_kind" NOT NULL,
	"url" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credential_kind" text,
	"credential_ciphertext" "bytea",
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "upstreams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "agent_credentials" ADD CONSTRAINT "agent_credentials_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_batches" ADD CONSTRAINT "audit_batches_stream_id_audit_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."audit_streams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_streams" ADD CONSTRAINT "audit_streams_node_id_dp_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."dp_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bootstrap_tokens" ADD CONSTRAINT "bootstrap_tokens_group_id_gateway_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."gateway_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_versions" ADD CONSTRAINT "config_versions_group_id_gateway_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."gateway_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_user_id_console_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."console_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dp_nodes" ADD CONSTRAINT "dp_nodes_group_id_gateway_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."gateway_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_sessions" ADD CONSTRAINT "gateway_sessions_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_keys" ADD CONSTRAINT "node_keys_node_id_dp_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."dp_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tools" ADD CONSTRAINT "tools_upstream_id_upstreams_id_fk" FOREIGN KEY ("upstream_id") REFERENCES "public"."upstreams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_audit_at_idx" ON "admin_audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "admin_audit_target_idx" ON "admin_audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "admin_audit_action_idx" ON "admin_audit_log" USING btree ("action");--> statement-breakpoint
CREATE INDEX "agent_credentials_agent_idx" ON "agent_credentials" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "agents_owner_idx" ON "agents" USING btree ("owner");--> statement-breakpoint
CREATE INDEX "api_tokens_created_idx" ON "api_tokens" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "approvals_status_idx" ON "approvals" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "approvals_session_idx" ON "approvals" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "approvals_binding_idx" ON "approvals" USING btree ("session_id","tool","args_sha256");--> statement-breakpoint
CREATE INDEX "audit_alarms_at_idx" ON "audit_alarms" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_batches_received_idx" ON "audit_batches" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_stream_seq_idx" ON "audit_events" USING btree ("stream_id","event_seq");--> statement-breakpoint
CREATE INDEX "audit_events_session_idx" ON "audit_events" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_operator_idx" ON "audit_events" USING btree ("operator_sub","at");--> statement-breakpoint
CREATE INDEX "audit_events_agent_idx" ON "audit_events" USING btree ("agent_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_tool_idx" ON "audit_events" USING btree ("tool","at");--> statement-breakpoint
CREATE INDEX "audit_events_decision_idx" ON "audit_events" USING btree ("decision","at");--> statement-breakpoint
CREATE INDEX "audit_streams_node_idx" ON "audit_streams" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "bootstrap_tokens_group_idx" ON "bootstrap_tokens" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "config_versions_group_idx" ON "config_versions" USING btree ("group_id","version");--> statement-breakpoint
CREATE INDEX "console_sessions_user_idx" ON "console_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "dp_nodes_group_idx" ON "dp_nodes" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "gateway_sessions_operator_idx" ON "gateway_sessions" USING btree ("operator_sub","started_at");--> statement-breakpoint
CREATE INDEX "gateway_sessions_agent_idx" ON "gateway_sessions" USING btree ("agent_id","started_at");--> statement-breakpoint
CREATE INDEX "gateway_sessions_parent_idx" ON "gateway_sessions" USING btree ("parent_session_id");--> statement-breakpoint
CREATE INDEX "node_keys_node_idx" ON "node_keys" USING btree ("node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tools_upstream_name_idx" ON "tools" USING btree ("upstream_id","name");--> statement-breakpoint
CREATE INDEX "tools_status_idx" ON "tools" USING btree ("status");--> statement-breakpoint
CREATE INDEX "tools_name_idx" ON "tools" USING btree ("name");