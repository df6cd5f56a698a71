CREATE TABLE "form_submissions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"lead_id" uuid,
	"email" text NOT NULL,
	"payload" jsonb NOT NULL,
	"spam" boolean DEFAULT false NOT NULL,
	"ip" text NOT NULL,
	"user_agent" text,
	"idempotency_key" text,
	"body_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lead_erasures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"lead_id" uuid NOT NULL,
	"actor_id" uuid,
	"submissions" integer NOT NULL,
	"uploads" integer NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "form_submissions" ADD CONSTRAINT "form_submissions_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "form_submissions_idempotency_key_unique" ON "form_submissions" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "form_submissions_created_idx" ON "form_submissions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "form_submissions_type_created_idx" ON "form_submissions" USING btree ("type","created_at","id");--> statement-breakpoint
CREATE INDEX "form_submissions_lead_idx" ON "form_submissions" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "form_submissions_email_idx" ON "form_submissions" USING btree ("email") WHERE "form_submissions"."lead_id" is null;