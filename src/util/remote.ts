/**
 * Remote inputs by their names: `http://…`, `https://…` and `s3://bucket/key`, wherever a file name is
 * accepted. Plain string work, shared by the readers (which open them), the report's default name and
 * --resume (which match them): nothing here loads a network stack.
 */

const REMOTE = /^(?:https?|s3):\/\//i;

/** Is this input name a URL to download (http, https) or an S3 object, not a local path? */
export function isRemote(name: string): boolean {
  return REMOTE.test(name);
}

/**
 * Query parameters that carry a credential or sign the URL: a presigned S3 URL's `X-Amz-*` (and GCS's
 * `X-Goog-*`), Azure's `sig`, a token or key. Their values are never shown; all of the signing ones are
 * masked, so a URL signed anew for the same object has the same name (and --resume takes it).
 */
const SECRET_PARAMS = /^(?:x-amz-.*|x-goog-.*|signature|sig|awsaccesskeyid|expires|token|access_token|auth|api_key|apikey|key|password|secret)$/i;

/** What stands in for a secret. */
const MASK = '***';

/**
 * An input's name as every output shows it (report lines, messages, the summary): as given, except that
 * credentials in a URL (`user:password@`, a presigned URL's signature) are masked. Local paths, `-` and
 * `s3://` names (which hold no credentials) are returned as they are.
 */
export function inputName(name: string): string {
  const parts = /^(https?:\/\/)([^/?#]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(name);
  if (!parts) return name;
  const [, scheme, userinfo, rest, query, fragment] = parts;
  const masked = query
    ?.slice(1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = key;
      try {
        decoded = decodeURIComponent(key);
      } catch {
        // a malformed escape: judge the name as written
      }
      return equals !== -1 && SECRET_PARAMS.test(decoded) ? `${key}=${MASK}` : pair;
    })
    .join('&');
  return `${scheme}${userinfo === undefined ? '' : `${MASK}@`}${rest}${masked === undefined ? '' : `?${masked}`}${fragment ?? ''}`;
}

/** An `s3://bucket/key` name split; undefined when it lacks a bucket or a key. */
export function s3Location(name: string): { readonly bucket: string; readonly key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(name);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/**
 * The path part of a remote input, which tells its format and whether it is gzipped (`.csv.gz`): an
 * http(s) URL's path without query or fragment, an S3 object's key. Undefined for a local path.
 */
export function remotePath(name: string): string | undefined {
  if (/^s3:\/\//i.test(name)) return s3Location(name)?.key ?? '';
  const match = /^https?:\/\/[^/?#]*([^?#]*)/i.exec(name);
  return match ? match[1] : undefined;
}

/** A remote input as the readers open it: its shown name, its path (format, gzip), and for s3:// its bucket and key. */
export interface RemoteName {
  readonly file: string;
  readonly path: string;
  readonly s3: { readonly bucket: string; readonly key: string } | undefined;
  readonly isS3: boolean;
}

/** Everything the readers need of a remote input's name, read at once. */
export function describeRemote(name: string): RemoteName {
  const isS3 = /^s3:\/\//i.test(name);
  return { file: inputName(name), path: remotePath(name) ?? '', s3: isS3 ? s3Location(name) : undefined, isS3 };
}

/** The last segment of a remote input's path (`https://host/exports/day.csv?sig=…` → `day.csv`), decoded; the host when the path has none. */
export function remoteFileName(name: string): string {
  const path = remotePath(name) ?? name;
  const segment = path.slice(path.lastIndexOf('/') + 1);
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // a malformed escape: keep the segment as written
  }
  // A decoded segment may hold a slash (%2F) or be empty (a URL ending in /): neither makes a file name.
  decoded = decoded.slice(decoded.lastIndexOf('/') + 1);
  if (decoded !== '' && decoded !== '.' && decoded !== '..') return decoded;
  return /^[a-z0-9]+:\/\/(?:[^/?#]*@)?([^/?#:]+)/i.exec(name)?.[1] ?? 'input';
}
