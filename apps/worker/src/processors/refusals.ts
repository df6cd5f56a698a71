import { PermanentJobError } from '@atrium/jobs';

interface MaybePermanent {
  permanent?: unknown;
}

/**
 * Integrations say "permanent" in their own error type (they do not depend on the job layer);
 * here it becomes the job layer's PermanentJobError, which both drivers stop retrying.
 */
export async function permanentWhenRefused<T>(effect: () => Promise<T>): Promise<T> {
  try {
    return await effect();
  } catch (error) {
    if ((error as MaybePermanent | null)?.permanent === true) {
      throw new PermanentJobError((error as Error).message, { cause: error });
    }
    throw error;
  }
}
