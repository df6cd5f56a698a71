import type {
  AdminReportQuery,
  CreateReportRequest,
  PageQuery,
  Report,
  ReportComment,
  ReportDetail,
  UpdateReportRequest,
} from '@atrium/contracts';
import {
  type Database,
  type ReportCommentRow,
  type ReportRow,
  reportComments,
  reports,
} from '@atrium/db';
import { and, asc, desc, eq, lt } from '@atrium/db/orm';
import { Conflict, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';

/** Who acts on a report: moderators hold `reports:manage`. */
export interface Actor {
  id: string;
  moderator: boolean;
}

export const toReport = (row: ReportRow): Report => ({
  id: row.id,
  reporterId: row.reporterId,
  title: row.title,
  content: row.content,
  status: row.status,
  resolvedAt: row.resolvedAt?.toISOString() ?? null,
  resolvedBy: row.resolvedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toComment = (row: ReportCommentRow): ReportComment => ({
  id: row.id,
  reportId: row.reportId,
  authorId: row.authorId,
  comment: row.comment,
  statusFrom: row.statusFrom,
  statusTo: row.statusTo,
  createdAt: row.createdAt.toISOString(),
});

/** The report if the actor may see it (its reporter or a moderator); 404 otherwise. */
export async function visibleReport(db: Database, actor: Actor, id: string, lock = false) {
  if (!isUuid(id)) throw new NotFound('report');
  const query = db.select().from(reports).where(eq(reports.id, id));
  const [row] = lock ? await query.for('update') : await query;
  if (!row || (row.reporterId !== actor.id && !actor.moderator)) throw new NotFound('report');
  return row;
}

export async function createReport(db: Database, userId: string, input: CreateReportRequest) {
  const [row] = await db
    .insert(reports)
    .values({ reporterId: userId, title: input.title, content: input.content })
    .returning();
  return toReport(row!);
}

export async function getReport(db: Database, actor: Actor, id: string): Promise<ReportDetail> {
  const row = await visibleReport(db, actor, id);
  const comments = await db
    .select()
    .from(reportComments)
    .where(eq(reportComments.reportId, id))
    .orderBy(asc(reportComments.id));
  return { ...toReport(row), comments: comments.map(toComment) };
}

/** Only the reporter edits, and only while nobody has started on the report. */
export async function updateReport(
  db: Database,
  actor: Actor,
  id: string,
  input: UpdateReportRequest,
) {
  const row = await visibleReport(db, actor, id);
  if (row.reporterId !== actor.id) throw new Forbidden('Only the reporter can edit a report.');
  const [updated] = await db
    .update(reports)
    .set({ title: input.title, content: input.content, updatedAt: new Date() })
    .where(and(eq(reports.id, id), eq(reports.status, 'open')))
    .returning();
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
  const cursor = idCursor(query.cursor);
  const rows = await db
    .select()
    .from(reports)
    .where(
      and(
        filter.reporterId ? eq(reports.reporterId, filter.reporterId) : undefined,
        filter.status ? eq(reports.status, filter.status) : undefined,
        cursor ? lt(reports.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(reports.id))
    .limit(limit + 1);
  return toPage(rows, limit, toReport, (r) => r.id);
}
