// A small forward proxy on 127.0.0.1 for tests: CONNECT tunnels (what undici's proxy agent uses) and
// plain absolute-URI requests; counts what went through it.
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export function startProxy() {
  const state = { connects: 0, forwards: 0 };
  const server = createServer((req, res) => {
    state.forwards++;
    const target = new URL(req.url);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    state.connects++;
    const [host, port] = req.url.split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        get used() {
          return state.connects + state.forwards;
        },
        close: () => new Promise((done) => {
          server.close(done);
          server.closeAllConnections();
        }),
      }),
    );
  });
}
