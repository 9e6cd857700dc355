import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, InferOptions, Policy, PolicyServerStats, StateInput } from './Policy';

/** A policy that passes everything to another one; subclasses change what they need (usually infer). */
export class DelegatingPolicy implements Policy {
  readonly name: string;
  protected readonly inner: Policy;

  constructor(inner: Policy, name = inner.name) {
    this.inner = inner;
    this.name = name;
  }

  get space(): ActionSpace {
    return this.inner.space;
  }
  get horizon(): number {
    return this.inner.horizon;
  }
  get stepDtS(): number {
    return this.inner.stepDtS;
  }
  get stepsToExecute(): number {
    return this.inner.stepsToExecute;
  }
  get cameras(): readonly string[] {
    return this.inner.cameras;
  }
  get stateInput(): StateInput | undefined {
    return this.inner.stateInput;
  }

  infer(observation: Observation, options?: InferOptions): Promise<ActionChunk> {
    return this.inner.infer(observation, options);
  }

  serverStats(): PolicyServerStats | undefined {
    return this.inner.serverStats?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
