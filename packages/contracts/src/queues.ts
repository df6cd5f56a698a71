/**
 * The queue dashboard (bull-board, with REDIS_URL): where it is served, and the cookie that
 * carries a browser's access token there (browsers cannot send a bearer header on navigation).
 */
export const QueuesDashboard = {
  path: '/admin/queues',
  cookie: 'atrium_queues',
} as const;
