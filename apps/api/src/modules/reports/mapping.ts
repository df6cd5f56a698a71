import type { Report, ReportComment } from '@atrium/contracts';
import type { ReportCommentRow, ReportRow } from '@atrium/db';

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
