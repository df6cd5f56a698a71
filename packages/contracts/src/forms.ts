import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

/** The website's lead forms (SPEC §4.6), each its own endpoint: `POST /<type>`. */
export const FormTypes = ['contact', 'demo-request', 'quote-request'] as const;
export type FormType = (typeof FormTypes)[number];

/**
 * One line of text: no control characters (CR/LF among them), so a value that ends up in an
 * email header or a CSV cell can never start a new line there.
 */
const line = (maxLength: number, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });

/** The fields every form has. `website` is the honeypot: hidden from people, filled by bots. */
const common = {
  name: line(200, 1),
  email: Type.String({ format: 'email', maxLength: 320 }),
  company: Type.Optional(line(200)),
  phone: Type.Optional(line(50)),
  message: Type.Optional(Type.String({ maxLength: 5000 })),
  consent: Type.Optional(
    Type.Boolean({ description: 'Marketing consent, when the form asks for it' }),
  ),
  website: Type.Optional(
    Type.String({
      maxLength: 500,
      description:
        'Honeypot: render it hidden (CSS, not type=hidden) and leave it empty. A filled one is accepted as usual and stored as spam.',
    }),
  ),
  captchaToken: Type.Optional(
    Type.String({
      maxLength: 4096,
      description:
        "The captcha widget's response token (Turnstile, hCaptcha or reCAPTCHA); required when the server has CAPTCHA_PROVIDER set",
    }),
  ),
};

export const ContactForm = Type.Object(
  { ...common, message: Type.String({ minLength: 1, maxLength: 5000 }) },
  { additionalProperties: false },
);
export type ContactForm = Static<typeof ContactForm>;

export const DemoRequestForm = Type.Object(
  {
    ...common,
    service: line(200, 1),
    preferredDates: Type.Array(Timestamp, {
      minItems: 1,
      maxItems: 5,
      description: 'The slots the sender proposes, as ISO-8601 instants',
    }),
    timeZone: line(64, 1),
  },
  { additionalProperties: false },
);
export type DemoRequestForm = Static<typeof DemoRequestForm>;

export const QuoteRequestForm = Type.Object(
  {
    ...common,
    service: line(200, 1),
    budgetRange: line(100, 1),
    timeline: line(100, 1),
    volume: Type.Optional(line(100)),
  },
  { additionalProperties: false },
);
export type QuoteRequestForm = Static<typeof QuoteRequestForm>;

export type FormInput = ContactForm | DemoRequestForm | QuoteRequestForm;

export const FormHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 8,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Makes a retried submission one submission; the same key with a different body is a 422',
    }),
  ),
});

export const FormAccepted = Type.Object({ id: Id });
export type FormAccepted = Static<typeof FormAccepted>;

/** A stored submission as `forms:read` holders see it; `payload` is the form minus captcha and honeypot. */
export const FormSubmission = Type.Object({
  id: Id,
  type: Type.Enum(FormTypes),
  leadId: Nullable(Id),
  email: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  spam: Type.Boolean(),
  ip: Type.String(),
  userAgent: Nullable(Type.String()),
  createdAt: Timestamp,
});
export type FormSubmission = Static<typeof FormSubmission>;
export const FormSubmissionPage = Page(FormSubmission);

export const FormSubmissionQuery = Type.Object(
  {
    ...PageQuery.properties,
    type: Type.Optional(Type.Enum(FormTypes)),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    spam: Type.Optional(Type.Boolean({ description: 'Only spam (true) or only not spam (false)' })),
  },
  { additionalProperties: false },
);
export type FormSubmissionQuery = Static<typeof FormSubmissionQuery>;

export const FormSubmissionExportQuery = Type.Object(
  {
    type: Type.Optional(Type.Enum(FormTypes)),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    spam: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FormSubmissionExportQuery = Static<typeof FormSubmissionExportQuery>;
