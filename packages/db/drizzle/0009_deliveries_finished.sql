DROP INDEX "deliveries_done_at_idx";--> statement-breakpoint
CREATE INDEX "deliveries_done_at_idx" ON "deliveries" USING btree ("done_at") WHERE "deliveries"."done_at" is not null;