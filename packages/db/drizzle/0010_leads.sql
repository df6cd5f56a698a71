CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"company" text,
	"phone" text,
	"consent" boolean DEFAULT false NOT NULL,
	"consent_at" timestamp with time zone,
	"hubspot_contact_id" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "leads_email_unique" ON "leads" USING btree ("email");--> statement-breakpoint
CREATE INDEX "leads_last_seen_idx" ON "leads" USING btree ("last_seen_at","id");--> statement-breakpoint
CREATE INDEX "leads_search_idx" ON "leads" USING gin ((coalesce("name", '') || ' ' || "email" || ' ' || coalesce("company", '')) gin_trgm_ops);