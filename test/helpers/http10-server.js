// A file server as plain as `python3 -m http.server`: HTTP/1.0, a Content-Length, the whole file written at
// once, then the connection closed. Raw TCP, so nothing in between keeps the connection alive.
import { createServer } from 'node:net';

/** Serves `files` ({ '/path': Buffer }) on 127.0.0.1: { url, requests (paths asked for), close() }. */
export function startHttp10(files) {
  const requests = [];
  const server = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = /^GET (\S+) HTTP/.exec(head)?.[1] ?? '';
      requests.push(path);
      const body = files[path];
      if (body === undefined) {
        socket.end('HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      socket.write(`HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.end(body);
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}
