/** `make peers`: builds the Go peers into the cache, or reports that they are cached. */
import { ensurePeers } from './peers.js';

const peers = await ensurePeers();
for (const [name, path] of Object.entries(peers)) console.log(`${name.padEnd(24)} ${path}`);
