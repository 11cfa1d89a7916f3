CREATE TABLE "audit_log" (
	"id" serial PRIMARY KEY NOT NULL,
	"actor_id" integer,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_action_nonempty" CHECK ("audit_log"."action" <> '')
);
--> statement-breakpoint
CREATE TABLE "binding_codes" (
	"id" serial PRIMARY KEY NOT NULL,
	"member_id" integer NOT NULL,
	"code_hash" text NOT NULL,
	"created_by" integer,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dialogs" (
	"member_id" integer NOT NULL,
	"chat_key" text NOT NULL,
	"kind" text NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dialogs_member_id_chat_key_pk" PRIMARY KEY("member_id","chat_key")
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"platform" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"member_id" integer NOT NULL,
	"chat_id" text,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identities_platform_platform_user_id_pk" PRIMARY KEY("platform","platform_user_id")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"id" serial PRIMARY KEY NOT NULL,
	"roster_key" text NOT NULL,
	"name" text NOT NULL,
	"committee" text DEFAULT '' NOT NULL,
	"sector" text DEFAULT '' NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"locale" text DEFAULT 'zh-Hans' NOT NULL,
	"locale_chosen" boolean DEFAULT false NOT NULL,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"wecom_user_id" text,
	"telegram_username" text,
	"unreachable_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"member_id" integer,
	"chat_key" text,
	"recipient" text NOT NULL,
	"template" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"buttons" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"platform" text,
	"chat_id" text,
	"platform_message_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"enqueued_at" timestamp with time zone,
	"claim_token" text,
	"claimed_at" timestamp with time zone,
	"unreachable_on" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "domain_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"member_id" integer,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"handled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reminder_jobs" (
	"job_id" text PRIMARY KEY NOT NULL,
	"ref" text NOT NULL,
	"offset_minutes" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"fire_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "duty_logs" (
	"shift_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"handled" integer NOT NULL,
	"summary" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "duty_logs_shift_id_member_id_pk" PRIMARY KEY("shift_id","member_id"),
	CONSTRAINT "duty_logs_handled_range" CHECK ("duty_logs"."handled" >= 0),
	CONSTRAINT "duty_logs_summary_length" CHECK (char_length("duty_logs"."summary") <= 1000)
);
--> statement-breakpoint
CREATE TABLE "shift_signups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"shift_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"status" text NOT NULL,
	"signed_up_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shift_swaps" (
	"id" serial PRIMARY KEY NOT NULL,
	"shift_id" integer NOT NULL,
	"signup_id" bigint NOT NULL,
	"from_member_id" integer NOT NULL,
	"to_member_id" integer,
	"status" text DEFAULT 'open' NOT NULL,
	"accepted_by" integer,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shifts" (
	"id" serial PRIMARY KEY NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"theme" text NOT NULL,
	"level" text NOT NULL,
	"capacity" integer NOT NULL,
	"place" text DEFAULT '' NOT NULL,
	"contact" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	CONSTRAINT "shifts_capacity_range" CHECK ("shifts"."capacity" between 1 and 10),
	CONSTRAINT "shifts_ends_after_start" CHECK ("shifts"."ends_at" > "shifts"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "note_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"note_id" integer NOT NULL,
	"kind" text NOT NULL,
	"actor_id" integer NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"level" text,
	"adoption_kind" text,
	"reason" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "note_events_level_given" CHECK ("note_events"."kind" not in ('adopted', 'instruction') or "note_events"."level" is not null)
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"id" serial PRIMARY KEY NOT NULL,
	"member_id" integer NOT NULL,
	"committee" text NOT NULL,
	"sector" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"category" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"reviewer_id" integer,
	"draft_key" text NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"queued_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reading_attendance" (
	"session_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"checked_in_at" timestamp with time zone NOT NULL,
	"method" text NOT NULL,
	CONSTRAINT "reading_attendance_session_id_member_id_pk" PRIMARY KEY("session_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "reading_comments" (
	"id" serial PRIMARY KEY NOT NULL,
	"guide_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"body" text NOT NULL,
	"featured" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reading_groups" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"lead_member_id" integer NOT NULL,
	"committee" text DEFAULT '' NOT NULL,
	"chat_key" text,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reading_guides" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"day" date NOT NULL,
	"publish_at" timestamp with time zone NOT NULL,
	"body" text NOT NULL,
	"author_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reading_rsvps" (
	"session_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"status" text NOT NULL,
	"queued_at" timestamp with time zone NOT NULL,
	"queue_seq" bigserial NOT NULL,
	"changes" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reading_rsvps_session_id_member_id_pk" PRIMARY KEY("session_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "reading_sessions" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"online_url" text,
	"place" text,
	"capacity" integer,
	"checkin_code" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"cancelled_at" timestamp with time zone,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reading_sessions_order" CHECK ("reading_sessions"."ends_at" > "reading_sessions"."starts_at"),
	CONSTRAINT "reading_sessions_capacity" CHECK ("reading_sessions"."capacity" is null or "reading_sessions"."capacity" > 0),
	CONSTRAINT "reading_sessions_where" CHECK ("reading_sessions"."online_url" is not null or "reading_sessions"."place" is not null)
);
--> statement-breakpoint
CREATE TABLE "notice_confirmations" (
	"notice_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	"chat_key" text NOT NULL,
	CONSTRAINT "notice_confirmations_notice_id_member_id_pk" PRIMARY KEY("notice_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" serial PRIMARY KEY NOT NULL,
	"draft_key" text NOT NULL,
	"created_by" integer NOT NULL,
	"text" text NOT NULL,
	"versions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"audience" jsonb NOT NULL,
	"confirm" boolean DEFAULT false NOT NULL,
	"send_at" timestamp with time zone,
	"status" text NOT NULL,
	"corrects_notice_id" integer,
	"approved_by" integer,
	"approved_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"cancelled_by" integer,
	"cancelled_at" timestamp with time zone,
	"member_count" integer DEFAULT 0 NOT NULL,
	"chat_count" integer DEFAULT 0 NOT NULL,
	"nudges" integer DEFAULT 0 NOT NULL,
	"last_nudged_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "notices_text_length" CHECK (char_length("notices"."text") between 1 and 2000)
);
--> statement-breakpoint
CREATE TABLE "registered_group_chats" (
	"id" serial PRIMARY KEY NOT NULL,
	"chat_key" text NOT NULL,
	"name" text NOT NULL,
	"committee" text DEFAULT '' NOT NULL,
	"sector" text DEFAULT '' NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"registered_by" integer,
	"registered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_members_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "binding_codes" ADD CONSTRAINT "binding_codes_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "binding_codes" ADD CONSTRAINT "binding_codes_created_by_members_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialogs" ADD CONSTRAINT "dialogs_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_logs" ADD CONSTRAINT "duty_logs_shift_id_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."shifts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_logs" ADD CONSTRAINT "duty_logs_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_signups" ADD CONSTRAINT "shift_signups_shift_id_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."shifts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_signups" ADD CONSTRAINT "shift_signups_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_swaps" ADD CONSTRAINT "shift_swaps_shift_id_shifts_id_fk" FOREIGN KEY ("shift_id") REFERENCES "public"."shifts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_swaps" ADD CONSTRAINT "shift_swaps_signup_id_shift_signups_id_fk" FOREIGN KEY ("signup_id") REFERENCES "public"."shift_signups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_swaps" ADD CONSTRAINT "shift_swaps_from_member_id_members_id_fk" FOREIGN KEY ("from_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_swaps" ADD CONSTRAINT "shift_swaps_to_member_id_members_id_fk" FOREIGN KEY ("to_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_swaps" ADD CONSTRAINT "shift_swaps_accepted_by_members_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shifts" ADD CONSTRAINT "shifts_created_by_members_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "note_events" ADD CONSTRAINT "note_events_note_id_notes_id_fk" FOREIGN KEY ("note_id") REFERENCES "public"."notes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "note_events" ADD CONSTRAINT "note_events_actor_id_members_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_reviewer_id_members_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_attendance" ADD CONSTRAINT "reading_attendance_session_id_reading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."reading_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_attendance" ADD CONSTRAINT "reading_attendance_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_comments" ADD CONSTRAINT "reading_comments_guide_id_reading_guides_id_fk" FOREIGN KEY ("guide_id") REFERENCES "public"."reading_guides"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_comments" ADD CONSTRAINT "reading_comments_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_groups" ADD CONSTRAINT "reading_groups_lead_member_id_members_id_fk" FOREIGN KEY ("lead_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_groups" ADD CONSTRAINT "reading_groups_created_by_members_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_guides" ADD CONSTRAINT "reading_guides_group_id_reading_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."reading_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_guides" ADD CONSTRAINT "reading_guides_author_id_members_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_rsvps" ADD CONSTRAINT "reading_rsvps_session_id_reading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."reading_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_rsvps" ADD CONSTRAINT "reading_rsvps_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_sessions" ADD CONSTRAINT "reading_sessions_group_id_reading_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."reading_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_sessions" ADD CONSTRAINT "reading_sessions_created_by_members_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_confirmations" ADD CONSTRAINT "notice_confirmations_notice_id_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_confirmations" ADD CONSTRAINT "notice_confirmations_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_created_by_members_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_corrects_notice_id_notices_id_fk" FOREIGN KEY ("corrects_notice_id") REFERENCES "public"."notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_approved_by_members_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_cancelled_by_members_id_fk" FOREIGN KEY ("cancelled_by") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_group_chats" ADD CONSTRAINT "registered_group_chats_registered_by_members_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "binding_codes_hash" ON "binding_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "identities_member_platform" ON "identities" USING btree ("member_id","platform");--> statement-breakpoint
CREATE UNIQUE INDEX "members_roster_key" ON "members" USING btree ("roster_key");--> statement-breakpoint
CREATE UNIQUE INDEX "members_wecom_user_id" ON "members" USING btree ("wecom_user_id");--> statement-breakpoint
CREATE INDEX "members_committee" ON "members" USING btree ("committee");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_once" ON "deliveries" USING btree ("kind","ref","recipient");--> statement-breakpoint
CREATE INDEX "deliveries_pending" ON "deliveries" USING btree ("status","not_before");--> statement-breakpoint
CREATE INDEX "deliveries_unqueued" ON "deliveries" USING btree ("not_before") WHERE "deliveries"."status" = 'pending' and "deliveries"."enqueued_at" is null;--> statement-breakpoint
CREATE INDEX "deliveries_in_queue" ON "deliveries" USING btree ("enqueued_at") WHERE "deliveries"."status" in ('pending', 'sending') and "deliveries"."enqueued_at" is not null;--> statement-breakpoint
CREATE INDEX "domain_events_unhandled" ON "domain_events" USING btree ("handled_at","id");--> statement-breakpoint
CREATE INDEX "reminder_jobs_ref" ON "reminder_jobs" USING btree ("ref");--> statement-breakpoint
CREATE INDEX "reminder_jobs_unfired" ON "reminder_jobs" USING btree ("fire_at") WHERE "reminder_jobs"."fired_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "shift_signups_once" ON "shift_signups" USING btree ("shift_id","member_id");--> statement-breakpoint
CREATE INDEX "shift_signups_member" ON "shift_signups" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shift_swaps_one_open" ON "shift_swaps" USING btree ("signup_id") WHERE "shift_swaps"."status" = 'open';--> statement-breakpoint
CREATE INDEX "shifts_starts_at" ON "shifts" USING btree ("starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shifts_same_slot" ON "shifts" USING btree ("starts_at","ends_at","level","theme") WHERE "shifts"."status" = 'open';--> statement-breakpoint
CREATE INDEX "note_events_note" ON "note_events" USING btree ("note_id","id");--> statement-breakpoint
CREATE INDEX "note_events_at" ON "note_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "note_events_submitted_once" ON "note_events" USING btree ("note_id") WHERE "note_events"."kind" = 'submitted';--> statement-breakpoint
CREATE UNIQUE INDEX "note_events_adopted_once" ON "note_events" USING btree ("note_id") WHERE "note_events"."kind" = 'adopted';--> statement-breakpoint
CREATE UNIQUE INDEX "note_events_instruction_per_level" ON "note_events" USING btree ("note_id","level") WHERE "note_events"."kind" = 'instruction';--> statement-breakpoint
CREATE UNIQUE INDEX "notes_member_draft" ON "notes" USING btree ("member_id","draft_key");--> statement-breakpoint
CREATE INDEX "notes_member" ON "notes" USING btree ("member_id","id");--> statement-breakpoint
CREATE INDEX "notes_queue" ON "notes" USING btree ("committee","status","queued_at");--> statement-breakpoint
CREATE INDEX "reading_attendance_member" ON "reading_attendance" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reading_comments_once" ON "reading_comments" USING btree ("guide_id","member_id");--> statement-breakpoint
CREATE INDEX "reading_comments_member" ON "reading_comments" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reading_guides_group_day" ON "reading_guides" USING btree ("group_id","day");--> statement-breakpoint
CREATE INDEX "reading_guides_publish" ON "reading_guides" USING btree ("publish_at");--> statement-breakpoint
CREATE INDEX "reading_rsvps_member" ON "reading_rsvps" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "reading_sessions_starts" ON "reading_sessions" USING btree ("starts_at");--> statement-breakpoint
CREATE INDEX "reading_sessions_group" ON "reading_sessions" USING btree ("group_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_draft_key" ON "notices" USING btree ("draft_key");--> statement-breakpoint
CREATE INDEX "notices_created_at" ON "notices" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "registered_group_chats_chat" ON "registered_group_chats" USING btree ("chat_key");--> statement-breakpoint
CREATE UNIQUE INDEX "registered_group_chats_name" ON "registered_group_chats" USING btree (lower("name"));