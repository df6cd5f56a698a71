export const sample = (overrides: Record<string, unknown> = {}) => ({
  title: 'Quarterly review with Acme',
  type: 'meeting',
  lead: 'Dana Scully',
  startAt: '2026-03-02T09:00:00.000Z',
  endAt: '2026-03-02T10:00:00.000Z',
  timezone: 'Europe/Paris',
  location: 'Paris office',
  description: 'Budget and roadmap',
  notes: 'Bring the contract',
  ...overrides,
});
