// Test doubles that speak the real protocols: for tests and benchmarks, never for production.

export {
  type CaptchaStub,
  type CaptchaStubMode,
  PASSING_CAPTCHA_TOKEN,
  startCaptchaStub,
} from './captcha-stub.js';
export {
  type ClamdProcess,
  type ClamdTestOptions,
  SHIPPED_CLAMD,
  startClamd,
} from './clamd.js';
export {
  type ContentfulStub,
  type StubSyncPage,
  startContentfulStub,
  stubDeletedEntry,
  stubEntry,
  stubLink,
} from './contentful-stub.js';
export {
  type HubspotStub,
  type StubFault,
  type StubRequest,
  startHubspotStub,
} from './hubspot-stub.js';
export { type SendgridMail, type SendgridStub, startSendgridStub } from './sendgrid-stub.js';
export { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from './smtp-sink.js';
