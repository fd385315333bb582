// Minimal typings for the untyped JavaScript package medshare/zk uses (snarkjs 0.7, with the WebAssembly
// curve of its dependency ffjavascript 0.3 as snarkjs.curves returns it).
// Internal: no public type of medshare/zk refers to these.

declare module 'snarkjs' {
  export interface WasmGroup {
    readonly g: Uint8Array;
    readonly F: { readonly n8: number };
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    double(p: Uint8Array): Uint8Array;
    toAffine(p: Uint8Array): Uint8Array;
    toRprLEM(out: Uint8Array, offset: number, p: Uint8Array): void;
  }
  export type TaskParam = { var: number; offset?: number } | { val: number };
  export type Task = (
    | { cmd: 'ALLOCSET'; var: number; buff: Uint8Array }
    | { cmd: 'ALLOC'; var: number; len: number }
    | { cmd: 'CALL'; fnName: string; params: TaskParam[] }
    | { cmd: 'GET'; out: number; var: number; len: number }
  )[];
  export interface WasmCurve {
    readonly G1: WasmGroup;
    readonly G2: WasmGroup;
    readonly tm: { readonly concurrency: number; queueAction(task: Task): Promise<Uint8Array[]>; terminate(): Promise<void> };
    terminate(): Promise<void>;
  }
  type Json = Record<string, unknown>;
  type FileLike = string | Uint8Array | { type: 'mem'; data?: Uint8Array };
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: FileLike,
      zkey: FileLike,
      logger?: unknown,
      wtnsCalcOptions?: Json,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Json; publicSignals: string[] }>;
    verify(vk: Json, publicSignals: readonly string[], proof: Json, logger?: unknown): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: FileLike, ptau: FileLike, zkey: FileLike, logger?: unknown): Promise<unknown>;
    contribute(oldZkey: FileLike, newZkey: FileLike, name: string, entropy: string, logger?: unknown): Promise<unknown>;
    exportVerificationKey(zkey: FileLike, logger?: unknown): Promise<Json>;
    /** `snarkjs zkey verify`: rebuilds the key from the R1CS and ptau and checks the zkey against it. */
    verifyFromR1cs(r1cs: FileLike, ptau: FileLike, zkey: FileLike, logger?: unknown): Promise<boolean>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, ptau: FileLike, logger?: unknown): Promise<unknown>;
    contribute(oldPtau: FileLike, newPtau: FileLike, name: string, entropy: string, logger?: unknown): Promise<unknown>;
    preparePhase2(oldPtau: FileLike, newPtau: FileLike, logger?: unknown): Promise<unknown>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: FileLike, wtns: FileLike): Promise<void>;
    exportJson(wtns: FileLike): Promise<bigint[]>;
  };
  /** ffjavascript's curves; `getCurveFromName('bn128', { singleThread })` is ffjavascript's buildBn128 (cached, threaded, unless singleThread). */
  export const curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<WasmCurve> };
}
