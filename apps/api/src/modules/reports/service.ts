import { hasPermission } from '@atrium/auth';
import type {
  AdminReportQuery,
  CommentReportRequest,
  CreateReportRequest,
  LiveEventData,
  PageQuery,
  ReportDetail,
  ReportStatus,
  UpdateReportRequest,
  User,
} from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { enqueueEmail } from '@atrium/jobs';
import { Conflict, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { toComment, toReport } from './mapping.js';
import {
  commentsOf,
  emailOf,
  insertComment,
  insertReport,
  reportById,
  reportPage,
  setStatus,
  updateOpenReport,
} from './queries.js';

/**
 * What the status workflow needs from the app: the database and the live-event bus. `publish` is
 * called only after the change it announces has committed.
 */
export interface ReportsContext {
  db: Database;
  publish(
    userId: string,
    type: 'report.updated',
    data: LiveEventData<'report.updated'>,
  ): Promise<void>;
}

/** Moderators hold `reports:manage`: they see every report and change its status. */
const isModerator = (user: User) => hasPermission(user, 'reports:manage');

/** The report if `user` may see it (its reporter or a moderator); 404 otherwise. */
async function visibleReport(db: Database, user: User, id: string, lock = false) {
  const row = isUuid(id) ? await reportById(db, id, lock) : undefined;
  if (!row || (row.reporterId !== user.id && !isModerator(user))) throw new NotFound('report');
  return row;
}

export async function createReport(db: Database, user: User, input: CreateReportRequest) {
  const row = await insertReport(db, {
    reporterId: user.id,
    title: input.title,
    content: input.content,
  });
  return toReport(row);
}

export async function getReport(db: Database, user: User, id: string): Promise<ReportDetail> {
  const row = await visibleReport(db, user, id);
  const comments = await commentsOf(db, id);
  return { ...toReport(row), comments: comments.map(toComment) };
}

/** Only the reporter edits, and only while nobody has started on the report. */
export async function updateReport(
  db: Database,
  user: User,
  id: string,
  input: UpdateReportRequest,
) {
  const row = await visibleReport(db, user, id);
  if (row.reporterId !== user.id) throw new Forbidden('Only the reporter can edit a report.');
  const updated = await updateOpenReport(db, id, { title: input.title, content: input.content });
  if (!updated) throw new Conflict('A report can be edited only while it is open.');
  return toReport(updated);
}

/** The reporter's own reports, or with `status`/no reporter, every report for moderators. */
export async function listReports(
  db: Database,
  filter: { reporterId?: string; status?: AdminReportQuery['status'] },
  query: PageQuery,
) {
  const limit = query.limit ?? 20;
  const rows = await reportPage(db, filter, limit, idCursor(query.cursor));
  return toPage(rows, limit, toReport, (r) => r.id);
}

/**
 * Adds a comment, a status change or both. The report row is locked so the recorded
 * `status_from` is the status the change replaced; the change, its comment record and the email
 * to the reporter commit together. The reporter hears of a status change once it has committed.
 */
export async function commentOnReport(
  { db, publish }: ReportsContext,
  user: User,
  id: string,
  input: CommentReportRequest,
  options: { mustChange?: boolean } = {},
) {
  if (input.status && !isModerator(user)) {
    throw new Forbidden('Changing the status of a report needs the reports:manage permission.');
  }
  const result = await db.transaction(async (tx) => {
    const row = await visibleReport(tx, user, id, true);
    const status = input.status && input.status !== row.status ? input.status : undefined;
    if (options.mustChange && !status) throw new Conflict(`The report is already ${row.status}.`);
    const comment = await insertComment(tx, {
      reportId: id,
      authorId: user.id,
      comment: input.comment ?? null,
      statusFrom: status ? row.status : null,
      statusTo: status ?? null,
    });
    const report = status ? await changeStatus(tx, user, id, status, comment.id) : toReport(row);
    return { report, comment: toComment(comment), statusChanged: status !== undefined };
  });
  if (result.statusChanged)
    await publish(result.report.reporterId, 'report.updated', result.report);
  return { report: result.report, comment: result.comment };
}

async function changeStatus(
  tx: Database,
  user: User,
  id: string,
  status: ReportStatus,
  commentId: string,
) {
  const updated = await setStatus(tx, id, status, status === 'resolved' ? user.id : null);
  await enqueueEmail(
    tx,
    await emailOf(tx, updated.reporterId),
    'report-status-changed',
    { reportTitle: updated.title, reportId: id, status },
    // One email per status change, however often the request is retried.
    { idempotencyKey: `report-status-changed:${commentId}` },
  );
  return toReport(updated);
}

/** Resolves a report, with an optional closing comment; resolving twice is a conflict. */
export const resolveReport = (context: ReportsContext, user: User, id: string, comment?: string) =>
  commentOnReport(context, user, id, { comment, status: 'resolved' }, { mustChange: true });
