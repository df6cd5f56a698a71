ALTER TABLE "audit_events" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "prev_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written below (Drizzle cannot express functions and triggers); the indexes are drizzle-kit's,
-- moved after the backfill so rows written since 0015 get their seq before it must be unique.
-- The canonical form of a row: a JSON array of its columns in a fixed order, `at` in UTC to the
-- microsecond. jsonb's text output is deterministic (object keys sorted), on PostgreSQL and PGlite.
CREATE FUNCTION audit_event_hash(prev_hash text, e audit_events) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(prev_hash || jsonb_build_array(
    e.seq, e.id, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_id, e.actor_ip, e.action, e.target_type, e.target_id, e.org_id, e.data
  )::text, 'UTF8')), 'hex')
$$;--> statement-breakpoint
-- Rows written between 0015 and this migration join the chain in the order they were written.
DO $$
DECLARE
  r record;
  n bigint := 0;
  h text := repeat('0', 64);
BEGIN
  FOR r IN SELECT id FROM audit_events ORDER BY at, id LOOP
    n := n + 1;
    UPDATE audit_events SET seq = n, prev_hash = h WHERE id = r.id;
    SELECT audit_event_hash(h, e) INTO h FROM audit_events e WHERE e.id = r.id;
    UPDATE audit_events SET hash = h WHERE id = r.id;
  END LOOP;
END $$;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_seq_idx" ON "audit_events" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","seq");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","seq");--> statement-breakpoint
-- Appending: one writer at a time (the advisory lock is held until the inserting transaction
-- ends), so seq has no gaps and every row chains to the one committed before it. The lock key is
-- AUDIT_CHAIN_LOCK in src/queries/audit.ts. Whatever the insert passed, the trigger sets the
-- clock, the number and the hashes.
CREATE FUNCTION audit_events_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(4242170017);
  SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  NEW.at := now();
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.hash := audit_event_hash(NEW.prev_hash, NEW);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER audit_events_append BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append();--> statement-breakpoint
-- Append-only, for every role including the owner: no UPDATE, no TRUNCATE, and DELETE only of
-- the rows below the bound retention sets for its own transaction (`pruneAudit`, which first
-- appends a signed checkpoint). Setting that bound by hand deletes a prefix that no valid
-- checkpoint covers, which verification reports.
CREATE FUNCTION audit_events_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.seq < coalesce(nullif(current_setting('atrium.audit_prune_below', true), '')::bigint, 0) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;--> statement-breakpoint
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse();--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse();
