import { describeLoad } from './load-run.js';

// `npm run test:stress`: 1,000 clients in one group, 100 broadcasts each (100,000 deliveries).
describeLoad(1000, 100);
