import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn scores run 0–4; 3 is "safely unguessable" (about 10^10 guesses). */
export const PASSWORD_MIN_SCORE = 3;

/**
 * The dictionaries cost ~60 MiB, so they load on the first password check, not at start-up:
 * most processes (workers, read-heavy API instances) never check a password.
 */
let loaded: Promise<{ zxcvbn: ZxcvbnFactory; commonPasswords: Set<string> }> | undefined;
function dictionaries() {
  loaded ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return {
      zxcvbn: new ZxcvbnFactory({
        translations: en.translations,
        graphs: common.adjacencyGraphs,
        dictionary: { ...common.dictionary, ...en.dictionary },
      }),
      commonPasswords: new Set(
        (common.dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()),
      ),
    };
  })();
  return loaded;
}

export type PasswordCheck = { ok: true } | { ok: false; message: string };

/**
 * Checks a new password against the policy. The message says what to change, in words a user
 * understands; `userInputs` (email, username, name) count as guessable.
 */
export async function checkPassword(
  password: string,
  userInputs: string[] = [],
): Promise<PasswordCheck> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return fail(`Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return fail(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  const { zxcvbn, commonPasswords } = await dictionaries();
  if (commonPasswords.has(password.toLowerCase())) {
    return fail('This password is one of the most common passwords; choose another one.');
  }
  // "jane.doe@example.com" is guessable as a whole and by its parts.
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[^\p{L}\p{N}]+/u)]);
  const result = zxcvbn.check(
    password,
    inputs.filter((word) => word.length >= 3),
  );
  if (result.score < PASSWORD_MIN_SCORE) {
    const hints = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean);
    const advice = hints.length ? ` ${hints.join(' ')}` : '';
    return fail(
      `This password is too easy to guess.${advice} Add more words or characters that are not related to you.`,
    );
  }
  return { ok: true };
}

const fail = (message: string): PasswordCheck => ({ ok: false, message });
