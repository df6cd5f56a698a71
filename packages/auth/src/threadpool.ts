// Import first in a process entry point: sizes libuv's thread pool before anything starts it.
//
// Password hashing (argon2id, memory-hard) runs on that pool. Node's default of four threads on a
// two-core machine makes four 19 MiB hashes take turns on two cores, evicting each other from the
// caches at every switch; one thread per core ran about a third more verifies per second here, and on a
// larger machine it lets every core hash (figures in BENCHMARKS.md, auth-login). File and DNS
// work shares the pool, so it never goes below two threads. An explicit UV_THREADPOOL_SIZE wins.
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
