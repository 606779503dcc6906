import { basename } from 'node:path';

/**
 * The name a run's metrics are labelled with (`--metrics-job`) when none is given: stable from one night
 * to the next, so a dated report or input does not make a new set of series every night (Prometheus
 * advises against label values without bound). The --config file's name when there is one (it names the
 * job), else the first input's name without its extensions and the dates in it:
 * `incoming/conversations-2026-12-05.csv.gz` → `conversations`; stdin → `stdin`.
 */
export function defaultMetricsJob(files: readonly string[], configFile: string | undefined): string {
  const from = configFile ?? files[0] ?? '-';
  if (from === '-') return 'stdin';
  const name = basename(from.replace(/[?#].*$/, ''))
    .replace(/(\.(csv|tsv|txt|ndjson|jsonl|json))?(\.gz)?$/i, '')
    .replace(/\d{4}([-_.]?)\d{2}\1\d{2}(T\d{2}([-_:.]?\d{2}){1,2}Z?)?/g, '')
    .replace(/\d{4}[-_]\d{2}(?!\d)/g, '')
    .replace(/[-_.]{2,}/g, (run) => run[0] ?? '')
    .replace(/^[-_.]+|[-_.]+$/g, '');
  return name === '' ? 'bulk_submit' : name;
}

/** `--shard 0/4` as a label value (a `/` would need encoding in a Pushgateway group). */
export function shardLabel(shard: { index: number; count: number } | undefined): string | undefined {
  return shard === undefined ? undefined : `${shard.index}-of-${shard.count}`;
}
