// The preparing stage's packing: request bodies built once, rows column-wise, subsets cut from the body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Packer } from '../../dist/prepare/packer.js';
import { ParcelView, subsetBody } from '../../dist/prepare/parcel.js';
import { localFlow } from '../../dist/prepare/hand-over.js';

const ref = (row) => ({ file: 0, line: row + 1, row });
/** A parcel's bodies as text. */
const bodies = (parcel) => parcel.bodyEnds.map((end, b) => Buffer.from(parcel.data.subarray(b === 0 ? 0 : parcel.bodyEnds[b - 1], end)).toString('utf8'));
const json = (id) => `{"eventId":"${id}","n":${id.length}}`;

test('batches: full bodies of batchSize rows, a repeated eventId starts the next, finished rows follow the sent ones', () => {
  const packer = new Packer(3, false);
  packer.send(ref(1), json('a'), 'a', 'd1');
  packer.finish(ref(2), 'x: is required', null);
  assert.equal(packer.full, false, 'one sent row of a batch of three: not yet');
  packer.send(ref(3), json('b'), 'b', 'd3');
  packer.send(ref(4), json('b'), 'b', 'd4');
  packer.send(ref(5), json('c'), 'c', 'd5');
  const taken = packer.take(123, false);
  const parcel = structuredClone(taken, { transfer: [taken.data.buffer, taken.rows.numbers.buffer, taken.rows.textEnds.buffer, taken.rows.flags.buffer] });
  const rows = new ParcelView(parcel);
  assert.deepEqual(bodies(parcel), [`{"items":[${json('a')},${json('b')}]}`], 'the second "b" started a batch that is still filling');
  assert.deepEqual(parcel.sizes, [2]);
  assert.deepEqual([0, 1, 2].map((i) => rows.row(i)), [1, 3, 2], 'sent rows in body order, then the finished one');
  assert.deepEqual(rows.at(2), { file: 0, line: 3, row: 2, eventId: null, digest: null, error: 'x: is required' });
  assert.deepEqual(rows.at(0), { file: 0, line: 2, row: 1, eventId: 'a', digest: 'd1', error: null });
  assert.equal(parcel.bytes, 123);
  const rest = packer.take(200, true);
  assert.deepEqual(bodies(rest), [`{"items":[${json('b')},${json('c')}]}`]);
  const restRows = new ParcelView(rest);
  assert.deepEqual([restRows.row(0), restRows.row(1)], [4, 5]);
  assert.deepEqual([restRows.digest(0), restRows.digest(1)], ['d4', 'd5']);
});

test('a subset of a batch is cut from the body built once, item for item', () => {
  const packer = new Packer(3, false);
  for (const [row, id] of [[1, 'a'], [2, 'bb'], [3, 'ccc']]) packer.send(ref(row), json(id), id, `d${row}`);
  packer.send(ref(4), json('é'), 'é', 'd4'); // a multi-byte character: offsets are bytes
  packer.send(ref(5), json('e'), 'e', 'd5');
  const parcel = packer.take(0, true);
  const [first, second] = bodies(parcel);
  assert.deepEqual(JSON.parse(first).items.map((i) => i.eventId), ['a', 'bb', 'ccc']);
  const cut = (start, ends, items) => subsetBody(parcel.data, start, ends, items).toString('utf8');
  assert.equal(cut(0, parcel.itemEnds.slice(0, 3), [0, 2]), `{"items":[${json('a')},${json('ccc')}]}`);
  assert.equal(cut(0, parcel.itemEnds.slice(0, 3), [1]), `{"items":[${json('bb')}]}`);
  assert.deepEqual(JSON.parse(cut(0, parcel.itemEnds.slice(0, 3), [0, 1, 2])), JSON.parse(first));
  assert.equal(cut(parcel.bodyEnds[0], parcel.itemEnds.slice(3), [1, 0]), `{"items":[${json('e')},${json('é')}]}`);
  assert.equal(second, `{"items":[${json('é')},${json('e')}]}`);
});

test('single mode: one record a body; a parcel of 256; kept cells only for the rejects file', () => {
  const packer = new Packer(1, true);
  for (let i = 1; i <= 256; i++) packer.send(ref(i), json(`r${i}`), `r${i}`, `d${i}`, { cells: [`c${i}`], value: undefined, text: null });
  assert.equal(packer.full, true);
  const parcel = packer.take(0, false);
  assert.equal(parcel.bodyEnds.length, 256);
  assert.equal(bodies(parcel)[0], json('r1'));
  assert.deepEqual(parcel.sizes.slice(0, 2), [1, 1]);
  assert.deepEqual(new ParcelView(parcel).at(0).cells, ['c1']);
  assert.equal(new ParcelView(parcel).eventId(255), 'r256');
  assert.equal(new Packer(1, false).take(0, true).rows.kept, null);
});

test('a row --transform dropped crosses as one flag bit among the finished rows, beside invalid and valid ones', () => {
  const packer = new Packer(2, false);
  packer.send(ref(1), json('a'), 'a', 'd1');
  packer.finish(ref(2), 'x: is required', 'e2');
  packer.drop(ref(3));
  packer.finish(ref(4), null, null);
  packer.drop(ref(5));
  const rows = new ParcelView(packer.take(0, true));
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => [rows.row(i), rows.dropped(i), rows.error(i), rows.eventId(i)]), [
    [1, false, null, 'a'],
    [2, false, 'x: is required', 'e2'],
    [3, true, null, null],
    [4, false, null, null],
    [5, true, null, null],
  ]);
  packer.finish(ref(6), null, null);
  const next = new ParcelView(packer.take(0, true));
  assert.deepEqual([next.count, next.dropped(0)], [1, false], 'the next parcel starts afresh');
});

test('a flow whose taker stops: its items() ends though the producer never says end, and the next send is refused', async () => {
  const { outlet, inlet } = localFlow(1);
  assert.equal(await outlet.send('a'), true);
  const taken = [];
  const taking = (async () => {
    for await (const item of inlet.items()) taken.push(item);
    return 'ended';
  })();
  // The taker has 'a' and waits for more; the stage closes (the report could not be opened): it stops.
  while (taken.length === 0) await new Promise((resolve) => setImmediate(resolve));
  inlet.stop();
  let timer;
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, 30_000, 'still waiting')));
  const outcome = await Promise.race([taking, bound]);
  clearTimeout(timer);
  assert.equal(outcome, 'ended', 'a taker still waiting would keep the stage open forever (exit 13: unsettled await)');
  assert.equal(await outlet.send('b'), false);
  assert.deepEqual(taken, ['a']);
});
