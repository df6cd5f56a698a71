import type { ErrorCode, FieldError, Problem } from '@atrium/contracts';

const isProblemBody = (body: unknown): body is Problem =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Problem).code === 'string' &&
  typeof (body as Problem).status === 'number';

/**
 * An Atrium error answer (RFC 9457 problem+json) as an exception: switch on `code`, never on
 * the message. `errors` lists the offending fields of a `validation_failed`.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  /** The server's request id, to quote when reporting the failure. */
  readonly requestId: string | undefined;

  constructor(
    readonly problem: Problem,
    readonly response?: Response,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.status = problem.status;
    this.code = problem.code as ErrorCode;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId ?? response?.headers.get('x-request-id') ?? undefined;
  }

  /**
   * From a failed response and its parsed body. An answer that is not problem+json (a proxy's
   * 502 page) still becomes a ProblemError, with the code Atrium would have used for its status.
   */
  static from(response: Response, body: unknown): ProblemError {
    if (isProblemBody(body)) return new ProblemError(body, response);
    const status = response.status;
    const detail = typeof body === 'string' && body ? body.slice(0, 200) : response.statusText;
    return new ProblemError(
      {
        type: 'about:blank',
        title: response.statusText || 'Error',
        status,
        detail: detail || `HTTP ${status}`,
        code: fallbackCode(status),
      },
      response,
    );
  }

  /** Reads a failed response's body (once) and builds the error. */
  static async read(response: Response): Promise<ProblemError> {
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: `from` keeps the text as the detail
    }
    return ProblemError.from(response, body);
  }
}

/** Whether `error` is a ProblemError with one of `codes` (any code when none is given). */
export function isProblem<C extends ErrorCode>(
  error: unknown,
  ...codes: C[]
): error is ProblemError & { code: C } {
  return (
    error instanceof ProblemError &&
    (codes.length === 0 || (codes as ErrorCode[]).includes(error.code))
  );
}

function fallbackCode(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 502 && status <= 504) return 'service_unavailable';
  return status >= 500 ? 'internal_error' : 'bad_request';
}
