import type { Processor } from '@atrium/jobs';

/**
 * Until the mail transports land (SMTP, console), an email job is logged, with its template and
 * recipient, and nothing is sent.
 */
export const sendEmail: Processor<'email'> = async (payload, ctx) => {
  ctx.log.info(
    { jobId: ctx.jobId, to: payload.to, template: payload.template },
    'email (log transport): not sent',
  );
};
