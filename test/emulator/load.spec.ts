import { describeLoad } from './load-run.js';

// The light case, in every jest run; the heavy one (1,000 x 100) is load.stress.spec.ts.
describeLoad(100, 10);
