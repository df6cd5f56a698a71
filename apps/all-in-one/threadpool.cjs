// Preloaded by every start command (`node --require ./apps/all-in-one/threadpool.cjs …`): sizes
// libuv's thread pool before Node starts it, which happens while it is still loading the ES
// module entry point, so no code of the entry point itself could.
//
// Password hashing (argon2id, memory-hard) runs on that pool. Node's default of four threads on a
// two-core machine makes four 19 MiB hashes take turns on two cores, evicting each other from the
// caches at every switch; one thread per core verified about a third more passwords per second
// here, and on a larger machine every core hashes. File and DNS work shares the pool, so it never
// goes below two threads. A UV_THREADPOOL_SIZE set in the environment wins.
// biome-ignore lint/style/noProcessEnv: a Node runtime setting made before any module loads, not configuration
process.env.UV_THREADPOOL_SIZE ||= String(Math.max(2, require('node:os').availableParallelism()));
