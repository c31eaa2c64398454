/** cluster-key-slot (ioredis's own slot function) ships no types. */
declare module 'cluster-key-slot' {
  interface CalculateSlot {
    /** The Redis Cluster slot (0–16383) of a key, honouring a `{hash tag}`. */
    (key: string | Buffer): number;
    /** The slot shared by all keys, or -1 when they span several. */
    generateMulti(keys: ReadonlyArray<string | Buffer>): number;
  }
  const calculateSlot: CalculateSlot;
  export = calculateSlot;
}
