// A small file server on 127.0.0.1 for remote-input tests: serves the files of one folder, and answers as
// the ways a download goes wrong need:
//   /NAME                     the file, with Content-Length
//   /gzip/NAME                the file gzipped on the fly, with Content-Encoding: gzip
//   /redirect/N/NAME          N redirects (302), then the file
//   /loop/NAME                a redirect to itself
//   /cut/BYTES/NAME           the headers of the whole file, BYTES of it, then the connection is cut
//                             (while `cutting` is true; set it false to serve the file whole there too)
// Files that do not exist are 404. Every request is kept in `requests` ({ url, headers }).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function startFileServer(dir) {
  const requests = [];
  const state = { cutting: true };
  const server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    const path = decodeURIComponent(req.url.split('?')[0]);
    const redirect = /^\/redirect\/(\d+)\/(.+)$/.exec(path);
    if (redirect) {
      const left = Number(redirect[1]);
      res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}/${redirect[2]}` : `/${redirect[2]}` }).end();
      return;
    }
    if (path.startsWith('/loop/')) {
      res.writeHead(302, { location: req.url }).end();
      return;
    }
    const cut = /^\/cut\/(\d+)\/(.+)$/.exec(path);
    const gzip = /^\/gzip\/(.+)$/.exec(path);
    const name = cut?.[2] ?? gzip?.[1] ?? path.slice(1);
    let data;
    try {
      data = readFileSync(join(dir, name));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (gzip) data = gzipSync(data);
    res.writeHead(200, { 'content-length': data.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    if (cut && state.cutting) {
      // Written, then the connection closed under it: the client has the headers and part of the body.
      res.write(data.subarray(0, Number(cut[1])), () => res.socket.destroy());
      return;
    }
    res.end(data);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        set cutting(value) {
          state.cutting = value;
        },
        close: () =>
          new Promise((done) => {
            server.close(done);
            server.closeAllConnections();
          }),
      }),
    );
  });
}
