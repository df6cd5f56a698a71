import type { CommentReportRequest, ReportStatus } from '@atrium/contracts';
import { type Database, reportComments, reports, users } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { enqueueEmail } from '@atrium/jobs';
import { Conflict, Forbidden } from '../../errors.js';
import { type Actor, toComment, toReport, visibleReport } from './service.js';

/**
 * Adds a comment, a status change or both. The report row is locked so the recorded
 * `status_from` is the status the change replaced; the change, its comment record and the email
 * to the reporter commit together.
 */
export async function commentOnReport(
  db: Database,
  actor: Actor,
  id: string,
  input: CommentReportRequest,
  options: { mustChange?: boolean } = {},
) {
  if (input.status && !actor.moderator) {
    throw new Forbidden('Changing the status of a report needs the reports:manage permission.');
  }
  return db.transaction(async (tx) => {
    const row = await visibleReport(tx, actor, id, true);
    const status = input.status && input.status !== row.status ? input.status : undefined;
    if (options.mustChange && !status) throw new Conflict(`The report is already ${row.status}.`);
    const [comment] = await tx
      .insert(reportComments)
      .values({
        reportId: id,
        authorId: actor.id,
        comment: input.comment ?? null,
        statusFrom: status ? row.status : null,
        statusTo: status ?? null,
      })
      .returning();
    const report = status ? await changeStatus(tx, actor, id, status, comment!.id) : toReport(row);
    return { report, comment: toComment(comment!), statusChanged: status !== undefined };
  });
}

async function changeStatus(
  tx: Database,
  actor: Actor,
  id: string,
  status: ReportStatus,
  commentId: string,
) {
  const resolved = status === 'resolved';
  const [updated] = await tx
    .update(reports)
    .set({
      status,
      updatedAt: new Date(),
      resolvedAt: resolved ? new Date() : null,
      resolvedBy: resolved ? actor.id : null,
    })
    .where(eq(reports.id, id))
    .returning();
  const [reporter] = await tx
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, updated!.reporterId));
  await enqueueEmail(
    tx,
    reporter!.email,
    'report-status-changed',
    { reportTitle: updated!.title, reportId: id, status },
    // One email per status change, however often the request is retried.
    { idempotencyKey: `report-status-changed:${commentId}` },
  );
  return toReport(updated!);
}

/** Resolves a report, with an optional closing comment; resolving twice is a conflict. */
export const resolveReport = (db: Database, actor: Actor, id: string, comment?: string) =>
  commentOnReport(db, actor, id, { comment, status: 'resolved' }, { mustChange: true });
