/** A model whose forward is the function it is given, with a square Linear (`lin`) for it to call. */
import { nn, type Tensor } from '../../src/index.js';

export class Fn extends nn.Module {
  readonly lin: nn.Linear;
  constructor(
    readonly body: (m: Fn, ...xs: Tensor[]) => unknown,
    features = 3,
  ) {
    super();
    this.lin = new nn.Linear({ inFeatures: features, outFeatures: features, seed: 1 });
  }
  forward(...xs: Tensor[]): unknown {
    return this.body(this, ...xs);
  }
}
