// The 'js' test project: every numerical test again on the scalar TypeScript kernels.
import { setBackend } from '../../src/index.js';

setBackend('js');
