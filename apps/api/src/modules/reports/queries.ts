import type { ReportStatus } from '@atrium/contracts';
import {
  type Database,
  type ReportCommentRow,
  type ReportRow,
  reportComments,
  reports,
  users,
} from '@atrium/db';
import { and, asc, desc, eq, lt } from '@atrium/db/orm';

/** The report, locked until the transaction ends when `lock` is set. */
export async function reportById(db: Database, id: string, lock = false) {
  const query = db.select().from(reports).where(eq(reports.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function insertReport(
  db: Database,
  values: Pick<ReportRow, 'reporterId' | 'title' | 'content'>,
) {
  const [row] = await db
    .insert(reports)
    .values({ reporterId: values.reporterId, title: values.title, content: values.content })
    .returning();
  return row!;
}

/** Edits the report while it is open; nothing back once someone has started on it. */
export async function updateOpenReport(
  db: Database,
  id: string,
  values: Partial<Pick<ReportRow, 'title' | 'content'>>,
) {
  const [updated] = await db
    .update(reports)
    .set({ title: values.title, content: values.content, updatedAt: new Date() })
    .where(and(eq(reports.id, id), eq(reports.status, 'open')))
    .returning();
  return updated;
}

/** Moves the report to `status`; `resolvedBy` is who resolved it, null for any other status. */
export async function setStatus(
  tx: Database,
  id: string,
  status: ReportStatus,
  resolvedBy: string | null,
) {
  const [updated] = await tx
    .update(reports)
    .set({
      status,
      updatedAt: new Date(),
      resolvedAt: resolvedBy ? new Date() : null,
      resolvedBy,
    })
    .where(eq(reports.id, id))
    .returning();
  return updated!;
}

/** Up to `limit` + 1 reports older than `cursor`, newest first (the extra one says "more"). */
export function reportPage(
  db: Database,
  filter: { reporterId?: string; status?: ReportStatus },
  limit: number,
  cursor?: string,
) {
  return db
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
}

export function commentsOf(db: Database, reportId: string) {
  return db
    .select()
    .from(reportComments)
    .where(eq(reportComments.reportId, reportId))
    .orderBy(asc(reportComments.id));
}

export async function insertComment(
  tx: Database,
  values: Pick<ReportCommentRow, 'reportId' | 'authorId' | 'comment' | 'statusFrom' | 'statusTo'>,
) {
  const [row] = await tx
    .insert(reportComments)
    .values({
      reportId: values.reportId,
      authorId: values.authorId,
      comment: values.comment,
      statusFrom: values.statusFrom,
      statusTo: values.statusTo,
    })
    .returning();
  return row!;
}

export async function emailOf(tx: Database, userId: string) {
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return user!.email;
}
