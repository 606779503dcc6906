// tdigest ships no types; this declares the part of its documented API that latency.ts uses. It is
// CommonJS: an ES module imports it whole, as the default export.
declare module 'tdigest' {
  interface TDigest {
    push(x: number, n?: number): void;
    percentile(p: number): number | undefined;
    size(): number;
  }
  const tdigest: { TDigest: new (delta?: number | false, K?: number, CX?: number) => TDigest };
  export default tdigest;
}
