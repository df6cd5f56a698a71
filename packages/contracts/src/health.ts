import { type Static, Type } from 'typebox';
import { Timestamp } from './common.js';

export const DependencyStatus = Type.Union([
  Type.Literal('up'),
  Type.Literal('down'),
  Type.Literal('disabled'),
]);

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  version: Type.String(),
  environment: Type.String(),
  database: DependencyStatus,
  redis: DependencyStatus,
  timestamp: Timestamp,
});
export type Health = Static<typeof Health>;

export const Liveness = Type.Object({ status: Type.Literal('ok') });
export type Liveness = Static<typeof Liveness>;
