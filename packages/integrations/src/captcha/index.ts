import { IntegrationError } from '../errors.js';

export type CaptchaProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';

/** Each provider's siteverify endpoint; all three take the same form fields and answer alike. */
export const SITEVERIFY_URLS: Record<CaptchaProvider, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
};

export interface CaptchaOptions {
  provider: CaptchaProvider;
  secret: string;
  /** The provider's own URL when absent; tests point it at a local server. */
  verifyUrl?: string;
  timeoutMs: number;
}

/** `passed`, or `refused` with the provider's error codes (a missing, forged or spent token). */
export type CaptchaVerdict = { passed: true } | { passed: false; codes: string[] };

export interface CaptchaVerifier {
  readonly provider: CaptchaProvider;
  /** Throws a retryable IntegrationError when the provider cannot answer: never a silent pass. */
  verify(token: string, remoteIp: string): Promise<CaptchaVerdict>;
}

/** Error codes that mean the provider failed, not the token (Turnstile's `internal-error`). */
const PROVIDER_FAULTS = new Set(['internal-error', 'missing-input-secret', 'invalid-input-secret']);

/** reCAPTCHA v3 scores a human near 1.0; Google's suggested threshold. */
const RECAPTCHA_MIN_SCORE = 0.5;

/**
 * Server-side captcha verification over the providers' documented siteverify API: a form POST of
 * `secret`, `response` and `remoteip`, answered `{ success, "error-codes", score? }`. Cloudflare,
 * hCaptcha and Google publish no Node client for it, hence plain fetch. One try, bounded by
 * `timeoutMs`: the visitor is waiting, and a retry is theirs to make.
 */
export function captchaVerifier(options: CaptchaOptions): CaptchaVerifier {
  const url = options.verifyUrl ?? SITEVERIFY_URLS[options.provider];
  return {
    provider: options.provider,
    async verify(token, remoteIp) {
      const body = new URLSearchParams({
        secret: options.secret,
        response: token,
        remoteip: remoteIp,
      });
      let answer: { success?: unknown; 'error-codes'?: unknown; score?: unknown };
      try {
        const response = await fetch(url, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        // The message names the cause only: the secret and token never reach a log.
        const cause = error instanceof Error ? error.name : 'error';
        throw new IntegrationError(`${options.provider} siteverify failed (${cause})`, false, {
          cause: error instanceof Error && error.name !== 'AbortError' ? error.message : cause,
        });
      }
      const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].map(String) : [];
      if (codes.some((c) => PROVIDER_FAULTS.has(c))) {
        throw new IntegrationError(`${options.provider} siteverify failed (${codes})`, false);
      }
      const lowScore = typeof answer.score === 'number' && answer.score < RECAPTCHA_MIN_SCORE;
      if (answer.success === true && !lowScore) return { passed: true };
      return { passed: false, codes: lowScore ? ['low-score'] : codes };
    },
  };
}
