// A small forward proxy on 127.0.0.1 for tests: plain absolute-form requests (POST http://host/path) and,
// unless `connect: false`, CONNECT tunnels; counts what went through it. `connect: false` is the usual
// forward proxy for plain http, which refuses CONNECT (405).
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export function startProxy({ connect: allowConnect = true } = {}) {
  const state = { connects: 0, forwards: 0, refused: 0 };
  const server = createServer((req, res) => {
    state.forwards++;
    const target = new URL(req.url);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    if (!allowConnect) {
      state.refused++;
      socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n');
      return;
    }
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
        get connects() {
          return state.connects;
        },
        get forwards() {
          return state.forwards;
        },
        get refused() {
          return state.refused;
        },
        close: () => new Promise((done) => {
          server.close(done);
          server.closeAllConnections();
        }),
      }),
    );
  });
}
