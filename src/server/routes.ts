import type { IncomingMessage, ServerResponse } from 'node:http';
import { KINDS, KIND_NAMES } from '../kinds.js';
import type { Kind } from '../kinds.js';
import { counted } from '../util/plural.js';

/** What a path of the API serves: a record kind, one record a request or many. */
export interface Route {
  readonly kind: Kind;
  readonly many: boolean;
}

/** Every single and many-* path of the three kinds. */
export const ROUTES: ReadonlyMap<string, Route> = new Map(
  KIND_NAMES.flatMap((kind): [string, Route][] => [
    [KINDS[kind].single, { kind, many: false }],
    [KINDS[kind].many, { kind, many: true }],
  ]),
);

/** A request the server refuses, with the API's status and error code. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request's body as text; refuses one larger than `limit` bytes (413) without holding it. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpFailure(413, '413-01', `request body is larger than ${counted(limit, 'byte')}`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Answers with a JSON body. */
export function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
