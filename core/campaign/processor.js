// BullMQ sandboxed processor (BullMQ runs it on a worker thread): drafts one batch of a
// campaign's users. Plain JavaScript so BullMQ can load it from source or an installed package;
// it loads the TypeScript implementation through tsx (a dependency).
'use strict';
require('tsx/cjs');
module.exports = require('./processor-impl.ts').process;
