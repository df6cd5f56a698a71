import { type Static, Type } from 'typebox';
import { Id, Page, PageQuery, Timestamp } from './common.js';

export const ReportStatuses = ['open', 'in_progress', 'resolved'] as const;
export type ReportStatus = (typeof ReportStatuses)[number];
export const ReportStatusSchema = Type.Enum(ReportStatuses);

const NullableId = Type.Union([Id, Type.Null()]);
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 10_000 });
const CommentText = Type.String({ minLength: 1, maxLength: 10_000 });

export const Report = Type.Object({
  id: Id,
  reporterId: Id,
  title: Type.String(),
  content: Type.String(),
  status: ReportStatusSchema,
  resolvedAt: Type.Union([Timestamp, Type.Null()]),
  resolvedBy: NullableId,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Report = Static<typeof Report>;
export const ReportPage = Page(Report);

export const ReportComment = Type.Object({
  id: Id,
  reportId: Id,
  authorId: NullableId,
  comment: Type.Union([Type.String(), Type.Null()]),
  statusFrom: Type.Union([ReportStatusSchema, Type.Null()]),
  statusTo: Type.Union([ReportStatusSchema, Type.Null()]),
  createdAt: Timestamp,
});
export type ReportComment = Static<typeof ReportComment>;

/** A report with its comment history, oldest first. */
export const ReportDetail = Type.Object({
  ...Report.properties,
  comments: Type.Array(ReportComment),
});
export type ReportDetail = Static<typeof ReportDetail>;

export const CreateReportRequest = Type.Object(
  { title: Title, content: Body },
  { additionalProperties: false },
);
export type CreateReportRequest = Static<typeof CreateReportRequest>;

export const UpdateReportRequest = Type.Object(
  { title: Type.Optional(Title), content: Type.Optional(Body) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateReportRequest = Static<typeof UpdateReportRequest>;

/** A comment, a status change, or both; a status change needs `reports:manage`. */
export const CommentReportRequest = Type.Object(
  { comment: Type.Optional(CommentText), status: Type.Optional(ReportStatusSchema) },
  { additionalProperties: false, minProperties: 1 },
);
export type CommentReportRequest = Static<typeof CommentReportRequest>;

export const ResolveReportRequest = Type.Object(
  { comment: Type.Optional(CommentText) },
  { additionalProperties: false },
);
export type ResolveReportRequest = Static<typeof ResolveReportRequest>;

export const AdminReportQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(ReportStatusSchema) },
  { additionalProperties: false },
);
export type AdminReportQuery = Static<typeof AdminReportQuery>;

export const ReportParams = Type.Object({ id: Type.String() }, { additionalProperties: false });
