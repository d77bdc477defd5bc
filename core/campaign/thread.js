// Worker-thread entry of the embedded deployment (a second core for `campaign run`): loads the
// TypeScript implementation through tsx (a dependency), like the BullMQ processor.js.
'use strict';
require('tsx/cjs');
require('./thread-impl.ts');
