/**
 * The document's tags, in the order Swagger UI and ReDoc list them. A route's tags must be among
 * these (the docs plugin refuses the route otherwise): a new feature adds its tag here.
 */
export const TAGS = [
  {
    name: 'auth',
    description:
      'Accounts and sessions: register, sign in (a short-lived access token and a rotating refresh token), your profile, password reset and email verification.',
  },
  {
    name: 'users',
    description: 'User administration: list, create, disable, and grant roles or superuser.',
  },
  { name: 'roles', description: 'Named sets of permissions that users are granted.' },
  {
    name: 'organizations',
    description:
      'Organizations, their members and invitations. Everything under `/orgs/{orgId}` needs membership; a non-member gets 404.',
  },
  {
    name: 'interactions',
    description:
      'The interactions an organization records (meetings, calls, emails…): versioned (`ETag`/`If-Match`), searchable, exportable as CSV.',
  },
  { name: 'messages', description: 'Direct messages between users.' },
  {
    name: 'conversations',
    description: 'The conversations messages belong to, with unread counts.',
  },
  { name: 'reports', description: 'Reports users file, their comments, and their resolution.' },
  {
    name: 'events',
    description: 'Server-Sent Events for the signed-in user (new messages, reads, report changes).',
  },
  {
    name: 'content',
    description:
      'Website content (services, case studies, impact stories and metrics, team): public reads with `ETag`, writes for editors.',
  },
  {
    name: 'forms',
    description:
      'Public website forms (contact, demo, quote) and the submissions staff read and export.',
  },
  { name: 'leads', description: 'Leads made from form submissions, with their timeline.' },
  {
    name: 'uploads',
    description:
      'File uploads: request a signed URL, upload, complete, then poll the scan and analysis.',
  },
  {
    name: 'audit',
    description:
      'The append-only, hash-chained audit log: search, verify the chain, export as NDJSON; an org owner reads their org.',
  },
  {
    name: 'admin',
    description: 'Operator tools: superuser org administration and the queue dashboard.',
  },
  { name: 'operations', description: 'Health probes for load balancers and orchestrators.' },
];
