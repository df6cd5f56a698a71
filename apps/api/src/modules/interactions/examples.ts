import type { Interaction, InteractionInput } from '@atrium/contracts';

/** What the OpenAPI document shows for the interaction routes (and Swagger UI pre-fills). */
export const interactionInputExample: InteractionInput = {
  title: 'Quarterly review with Northwind',
  type: 'meeting',
  lead: 'Ada Lovelace',
  startAt: '2026-11-25T10:00:00.000Z',
  endAt: '2026-11-25T11:00:00.000Z',
  timezone: 'Europe/London',
  location: 'Northwind HQ, London',
  description: 'Renewal terms and the Q1 roll-out plan',
  notes: null,
};

export const interactionExample: Interaction = {
  id: '01936b4e-8f2a-7c3d-9e1f-2a3b4c5d6e7f',
  orgId: '01936b4e-1111-7c3d-9e1f-2a3b4c5d6e7f',
  ...interactionInputExample,
  location: 'Northwind HQ, London',
  description: 'Renewal terms and the Q1 roll-out plan',
  notes: null,
  createdBy: '01936b4e-2222-7c3d-9e1f-2a3b4c5d6e7f',
  updatedBy: '01936b4e-2222-7c3d-9e1f-2a3b4c5d6e7f',
  createdAt: '2026-11-20T09:12:44.120Z',
  updatedAt: '2026-11-20T09:12:44.120Z',
  version: 1,
};
