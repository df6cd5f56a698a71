export { IntegrationError } from '../errors.js';
export { type RetryingFetchOptions, retryAfterMs } from './http.js';
export { type HubspotOptions, hubspotCrm } from './hubspot.js';
export { type CrmClient, type CrmContact, type CrmDeal, logCrm } from './types.js';
