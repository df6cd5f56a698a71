CREATE TABLE "case_studies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"body" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"hero_image_url" text,
	"seo_title" text,
	"seo_description" text,
	"published" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'local' NOT NULL,
	"contentful_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"service_id" uuid,
	"service_contentful_id" text,
	"industry" text
);
--> statement-breakpoint
CREATE TABLE "content_sync_state" (
	"source" text PRIMARY KEY NOT NULL,
	"next_sync_token" text,
	"next_page_token" text,
	"last_synced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "impact_metrics" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"body" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"hero_image_url" text,
	"seo_title" text,
	"seo_description" text,
	"published" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'local' NOT NULL,
	"contentful_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"value" text,
	"unit" text
);
--> statement-breakpoint
CREATE TABLE "impact_stories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"body" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"hero_image_url" text,
	"seo_title" text,
	"seo_description" text,
	"published" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'local' NOT NULL,
	"contentful_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"body" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"hero_image_url" text,
	"seo_title" text,
	"seo_description" text,
	"published" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'local' NOT NULL,
	"contentful_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"body" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"hero_image_url" text,
	"seo_title" text,
	"seo_description" text,
	"published" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"position" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'local' NOT NULL,
	"contentful_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"role" text
);
--> statement-breakpoint
ALTER TABLE "case_studies" ADD CONSTRAINT "case_studies_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_studies_slug_unique" ON "case_studies" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "case_studies_contentful_id_unique" ON "case_studies" USING btree ("contentful_id");--> statement-breakpoint
CREATE INDEX "case_studies_list_idx" ON "case_studies" USING btree ("published","position","id");--> statement-breakpoint
CREATE INDEX "case_studies_service_idx" ON "case_studies" USING btree ("service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_metrics_slug_unique" ON "impact_metrics" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_metrics_contentful_id_unique" ON "impact_metrics" USING btree ("contentful_id");--> statement-breakpoint
CREATE INDEX "impact_metrics_list_idx" ON "impact_metrics" USING btree ("published","position","id");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_stories_slug_unique" ON "impact_stories" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_stories_contentful_id_unique" ON "impact_stories" USING btree ("contentful_id");--> statement-breakpoint
CREATE INDEX "impact_stories_list_idx" ON "impact_stories" USING btree ("published","position","id");--> statement-breakpoint
CREATE UNIQUE INDEX "services_slug_unique" ON "services" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "services_contentful_id_unique" ON "services" USING btree ("contentful_id");--> statement-breakpoint
CREATE INDEX "services_list_idx" ON "services" USING btree ("published","position","id");--> statement-breakpoint
CREATE UNIQUE INDEX "team_members_slug_unique" ON "team_members" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "team_members_contentful_id_unique" ON "team_members" USING btree ("contentful_id");--> statement-breakpoint
CREATE INDEX "team_members_list_idx" ON "team_members" USING btree ("published","position","id");