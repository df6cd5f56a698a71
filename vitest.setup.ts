// Runs in every test file: what a test wrote to the shared Redis under a prefix of its own
// (`testPrefix()`) is deleted when its file ends, whether or not the file remembered to.
import { afterAll } from 'vitest';
import { removeTestKeys } from './packages/jobs/src/testing.js';

afterAll(async () => {
  await removeTestKeys();
});
