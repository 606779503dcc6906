/** The record kinds the Metadata Ingestion API takes, with their bundled schema and endpoints. */
export interface KindSpec {
  readonly schema: string;
  readonly single: string;
  readonly many: string;
}

export const KINDS = {
  conversation: {
    schema: 'conversation-metadata.schema.json',
    single: '/metadata-ingestion/v1/single-convo-metadata',
    many: '/metadata-ingestion/v1/many-convo-metadata',
  },
  customer: {
    schema: 'customer-metadata.schema.json',
    single: '/metadata-ingestion/v1/single-customer-metadata',
    many: '/metadata-ingestion/v1/many-customer-metadata',
  },
  agent: {
    schema: 'agent-metadata.schema.json',
    single: '/metadata-ingestion/v1/single-agent-metadata',
    many: '/metadata-ingestion/v1/many-agent-metadata',
  },
} as const satisfies Record<string, KindSpec>;

export type Kind = keyof typeof KINDS;

/**
 * The API's daily request quotas (API.md, "Limits"): 10,000 requests in sandbox, 50,000 by default in
 * production, for every process of a product together; past it every call gets 429 until 00:00 UTC.
 */
export const DAILY_QUOTA = { sandbox: 10_000, production: 50_000 } as const;
/** The sandbox's host: its daily quota is the sandbox's; every other host's is production's. */
export const SANDBOX_HOST = 'api.sandbox.asapp.com';

/** The API's default daily quota for an endpoint host. */
export function defaultDailyQuota(host: string | undefined): number {
  return host === SANDBOX_HOST ? DAILY_QUOTA.sandbox : DAILY_QUOTA.production;
}

export const KIND_NAMES = Object.keys(KINDS) as Kind[];

/** The API's two credential headers, and the environment variables the command line takes them from. */
export const API_CREDENTIALS = [
  { header: 'asapp-api-id', env: 'ASAPP_API_ID' },
  { header: 'asapp-api-secret', env: 'ASAPP_API_SECRET' },
] as const;
