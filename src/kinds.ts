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

export const KIND_NAMES = Object.keys(KINDS) as Kind[];
