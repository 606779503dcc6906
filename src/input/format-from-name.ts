import type { Format } from './source.js';

/** Picks the format from the file name: `.csv`, `.ndjson`, `.jsonl`, each optionally `.gz`. */
export function formatFromName(name: string): Format | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv') || base.endsWith('.tsv') || base.endsWith('.txt')) return 'csv';
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl') || base.endsWith('.json')) return 'ndjson';
  return undefined;
}
