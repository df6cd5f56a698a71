-- Hand-added: pg_trgm backs the typo-tolerant trigram indexes at the end; drizzle-kit emits no
-- extensions. It is a trusted extension (PostgreSQL 13+), and PGlite loads it as a contrib module.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "interaction_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"interaction_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"changes" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "interactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"type" text NOT NULL,
	"lead" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"timezone" text NOT NULL,
	"location" text,
	"description" text,
	"notes" text,
	"created_by" uuid,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(lead, '') || ' ' || coalesce(type, '')), 'B') || setweight(to_tsvector('english', coalesce(location, '') || ' ' || coalesce(description, '')), 'C') || setweight(to_tsvector('english', coalesce(notes, '')), 'D')) STORED
);
--> statement-breakpoint
ALTER TABLE "interaction_history" ADD CONSTRAINT "interaction_history_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interaction_history" ADD CONSTRAINT "interaction_history_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "interaction_history_lookup_idx" ON "interaction_history" USING btree ("org_id","interaction_id","id");--> statement-breakpoint
CREATE INDEX "interactions_org_id_idx" ON "interactions" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "interactions_org_start_idx" ON "interactions" USING btree ("org_id","start_at","id");--> statement-breakpoint
CREATE INDEX "interactions_org_title_idx" ON "interactions" USING btree ("org_id","title","id");--> statement-breakpoint
CREATE INDEX "interactions_search_idx" ON "interactions" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "interactions_title_trgm_idx" ON "interactions" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "interactions_lead_trgm_idx" ON "interactions" USING gin ("lead" gin_trgm_ops);