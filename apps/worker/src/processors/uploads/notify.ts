import type { CrmSyncJob } from '@atrium/contracts';
import type { PipelineUpload } from '@atrium/db/queries';
import type { AnalysisOutcome } from './deps.js';

/** The lead as a CRM contact: the name split at its first space. */
export function crmContact(lead: PipelineUpload['lead']): Omit<CrmSyncJob, 'note'> {
  const [firstName, ...rest] = (lead.name ?? '').trim().split(/\s+/);
  return {
    email: lead.email,
    ...(firstName ? { firstName: firstName.slice(0, 200) } : {}),
    ...(rest.length > 0 ? { lastName: rest.join(' ').slice(0, 200) } : {}),
    ...(lead.company ? { company: lead.company.slice(0, 200) } : {}),
  };
}

const NOTE_MAX = 10_000;

/** The note on the contact: which file, what it was for, and the analysis summary. */
export function crmNote(upload: PipelineUpload, outcome: AnalysisOutcome): string {
  const lines = [
    `Uploaded ${upload.filename} (${upload.contentType}, ${upload.size} bytes).`,
    ...(upload.purpose ? [`Purpose: ${upload.purpose}`] : []),
    outcome.status === 'analysed'
      ? `Analysis (${outcome.kind}): ${outcome.summary}`
      : `Analysis failed: ${outcome.error ?? outcome.summary}`,
  ];
  const note = lines.join('\n');
  return note.length > NOTE_MAX ? `${note.slice(0, NOTE_MAX - 1)}…` : note;
}
