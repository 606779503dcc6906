import { BulkError } from '../errors.js';
import { numberDefault } from '../options/index.js';
import { describeRemote } from '../util/remote.js';
import { HARD_CAP_FACTOR } from './csv.js';
import { formatFromName } from './format-from-name.js';
import type { OpenedInput, OpenOptions } from './source.js';

/**
 * Opens a remote input: `s3://bucket/key` with the AWS SDK, `http(s)://…` with undici, each loaded only
 * now. The format and gzip come from the URL's path (or the key), as from a file's name.
 */
export async function openRemote(name: string, options: OpenOptions): Promise<OpenedInput> {
  const { file, path, s3, isS3 } = describeRemote(name);
  const format = options.format ?? formatFromName(path);
  if (!format) {
    throw new BulkError('BULK_FORMAT_UNKNOWN', "cannot tell the format from the name: end the URL's path (or the S3 key) in .csv, .ndjson or .jsonl (optionally .gz), or pass --format", { file });
  }
  const remote = {
    format,
    gzipByName: path.toLowerCase().endsWith('.gz'),
    ca: options.ca,
    hold: (options.maxRecordSize ?? numberDefault('max-record-size')) * HARD_CAP_FACTOR,
  };
  if (isS3) return (await import('./open-s3.js')).openS3(s3, file, remote);
  return (await import('./open-http.js')).openHttp(name, file, remote);
}
