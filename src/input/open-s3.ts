/**
 * s3://bucket/key inputs: streamed with the AWS SDK for JavaScript v3, which is loaded only when such an
 * input is given. Credentials come from the SDK's standard chain (environment, shared config and
 * credentials files with AWS_PROFILE, web identity for Kubernetes, container and instance roles), the
 * region from AWS_REGION or the profile, and AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3) points it at an
 * S3-compatible store, which is then addressed path-style (http://host/bucket/key), as MinIO, Ceph and
 * the like expect.
 */
import type { Readable } from 'node:stream';
import { BulkError } from '../errors.js';
import { trustedContext } from '../util/trust.js';
import { downloadInput } from './download.js';
import type { RemoteOptions } from './download.js';
import type { OpenedInput } from './source.js';

/** An SDK error in one line, as the reason an input is refused: never a credential, only what went wrong. */
function refusal(error: unknown, bucket: string): { code: 'BULK_FILE_NOT_FOUND' | 'BULK_FILE_UNREADABLE'; text: string } {
  const err = error as Error & { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.Code ?? err.name;
  const status = err.$metadata?.httpStatusCode;
  if (name === 'NoSuchKey' || (name === 'NotFound' && status === 404)) return { code: 'BULK_FILE_NOT_FOUND', text: 'no such key in the bucket (S3 NoSuchKey)' };
  if (name === 'NoSuchBucket') return { code: 'BULK_FILE_NOT_FOUND', text: `no such bucket: ${bucket} (S3 NoSuchBucket)` };
  if (name === 'CredentialsProviderError') {
    return { code: 'BULK_FILE_UNREADABLE', text: 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with a role (web identity, container or instance)' };
  }
  if (/region is missing/i.test(err.message)) return { code: 'BULK_FILE_UNREADABLE', text: 'no AWS region: set AWS_REGION (or a region in the AWS_PROFILE)' };
  if (status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken') {
    return { code: 'BULK_FILE_UNREADABLE', text: `access denied (S3 ${name}): check the credentials and the object's permissions` };
  }
  return { code: 'BULK_FILE_UNREADABLE', text: `cannot read the object: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${err.message}` };
}

/** Opens the object at `location` (from `s3://bucket/key`, named `file` in every output) as a stream of its body. */
export async function openS3(location: { readonly bucket: string; readonly key: string } | undefined, file: string, options: RemoteOptions): Promise<OpenedInput> {
  if (!location) throw new BulkError('BULK_FILE_NOT_FOUND', 'an S3 input is s3://bucket/key', { file });
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const secureContext = trustedContext(options.ca);
  const agent = secureContext === undefined ? undefined : new (await import('node:https')).Agent({ keepAlive: true, secureContext });
  const endpoint = process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL'];
  const client = new S3Client({
    forcePathStyle: endpoint !== undefined && endpoint !== '',
    followRegionRedirects: true,
    ...(agent === undefined ? {} : { requestHandler: { httpsAgent: agent } }),
  });
  let body: Readable;
  let size: number | undefined;
  let encoding: string | undefined;
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    body = answer.Body as Readable;
    size = answer.ContentLength;
    encoding = answer.ContentEncoding?.trim().toLowerCase();
  } catch (error) {
    client.destroy();
    const { code, text } = refusal(error, location.bucket);
    throw new BulkError(code, text, { file, line: undefined, cause: error });
  }
  return downloadInput({
    file,
    format: options.format,
    body,
    size,
    gzipByName: options.gzipByName,
    encoding,
    hold: options.hold,
    release: () => client.destroy(),
  });
}
